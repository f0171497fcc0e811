/**
 * Geometry of the virtualised thumbnail grid: which rows are on screen, where each cell sits, and which pages of
 * items those rows need. Pure maths (no DOM) so it can be tested and reused; all lengths are CSS pixels.
 */

/** Column count, cell size and total height of a grid of `total` items in a viewport `viewportWidth` wide. */
export interface GridLayout {
  total: number
  columns: number
  /** Width of one cell including its share of the gap. */
  cellWidth: number
  /** Height of one row including the gap below it. */
  rowHeight: number
  rows: number
  /** Height of the scrollable content. */
  totalHeight: number
}

/** A span of visible items: `first` inclusive, `end` exclusive (item indexes in the filtered list). */
export interface VisibleRange {
  firstRow: number
  /** Exclusive. */
  endRow: number
  first: number
  /** Exclusive. */
  end: number
}

/**
 * Lays out `total` items in as many columns of at least `minCellWidth` as fit `viewportWidth` (at least one),
 * stretching cells to fill the width. `cellHeight` is the height of a cell's content (thumbnail plus caption).
 */
export function gridLayout(
  total: number,
  viewportWidth: number,
  minCellWidth: number,
  cellHeight: number,
  gap: number
): GridLayout {
  const columns = Math.max(1, Math.floor((Math.max(0, viewportWidth) + gap) / (minCellWidth + gap)))
  const cellWidth = columns > 0 ? Math.max(minCellWidth, (viewportWidth + gap) / columns) : minCellWidth
  const rowHeight = cellHeight + gap
  const rows = Math.ceil(Math.max(0, total) / columns)
  return { total: Math.max(0, total), columns, cellWidth, rowHeight, rows, totalHeight: rows * rowHeight }
}

/**
 * Rows intersecting the viewport `[scrollTop, scrollTop + viewportHeight)` plus `overscanRows` above and below
 * (so a fast wheel tick does not show blank rows before the next render), clamped to the grid.
 */
export function visibleRange(
  layout: GridLayout,
  scrollTop: number,
  viewportHeight: number,
  overscanRows: number
): VisibleRange {
  if (layout.rows === 0) return { firstRow: 0, endRow: 0, first: 0, end: 0 }
  const top = Math.max(0, scrollTop)
  const firstRow = Math.max(0, Math.floor(top / layout.rowHeight) - overscanRows)
  const endRow = Math.min(layout.rows, Math.ceil((top + Math.max(0, viewportHeight)) / layout.rowHeight) + overscanRows)
  const lo = Math.min(firstRow, endRow)
  return {
    firstRow: lo,
    endRow,
    first: lo * layout.columns,
    end: Math.min(layout.total, endRow * layout.columns)
  }
}

/** Top-left corner of cell `index`, relative to the scrollable content. */
export function cellPosition(layout: GridLayout, index: number): { x: number; y: number } {
  const row = Math.floor(index / layout.columns)
  return { x: (index % layout.columns) * layout.cellWidth, y: row * layout.rowHeight }
}

/** Indexes of the pages of `pageSize` items that hold items `first` … `end - 1`. */
export function pagesForRange(first: number, end: number, pageSize: number): number[] {
  if (end <= first) return []
  const pages: number[] = []
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p)
  return pages
}

/**
 * The scrollTop that brings cell `index` fully into view with the least movement (unchanged when it already is).
 */
export function scrollToReveal(layout: GridLayout, index: number, scrollTop: number, viewportHeight: number): number {
  const { y } = cellPosition(layout, index)
  const bottom = y + layout.rowHeight
  if (y < scrollTop) return y
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight)
  return scrollTop
}

/** Keyboard cursor moves in the grid. */
export type GridMove = 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'

/**
 * The item index a cursor move lands on, clamped to the list. Up/PageUp keep the column when they hit the first
 * row; Down/PageDown past the last full row land on the last item (as file managers do). `rowsPerPage` is how
 * many rows PageUp/PageDown jump (the visible row count). Returns -1 for an empty list.
 */
export function moveIndex(index: number, move: GridMove, columns: number, rowsPerPage: number, total: number): number {
  if (total <= 0) return -1
  const from = Math.min(Math.max(index, 0), total - 1)
  const page = columns * Math.max(1, rowsPerPage)
  const lastRow = Math.floor((total - 1) / columns)
  const below = (to: number) => (to < total ? to : Math.floor(from / columns) < lastRow ? total - 1 : from)
  switch (move) {
    case 'left':
      return Math.max(0, from - 1)
    case 'right':
      return Math.min(total - 1, from + 1)
    case 'up':
      return from - columns >= 0 ? from - columns : from
    case 'pageUp':
      return from - page >= 0 ? from - page : from % columns
    case 'down':
      return below(from + columns)
    case 'pageDown':
      return below(from + page)
    case 'home':
      return 0
    case 'end':
      return total - 1
  }
}

import { describe, expect, it } from 'vitest'
import {
  cellPosition,
  gridLayout,
  moveIndex,
  pagesForRange,
  scrollToReveal,
  visibleRange
} from '../../../src/renderer/src/datasets/virtual-grid'

describe('virtual grid layout', () => {
  it('fits as many columns as the width allows and stretches cells to fill it', () => {
    // (1000 + 8) / (136 + 8) = 7 columns of 144 px.
    const l = gridLayout(20_000, 1000, 136, 170, 8)
    expect(l.columns).toBe(7)
    expect(l.cellWidth).toBeCloseTo(1008 / 7, 6)
    expect(l.rows).toBe(Math.ceil(20_000 / 7))
    expect(l.rowHeight).toBe(178)
    expect(l.totalHeight).toBe(2858 * 178)
  })

  it('keeps one column when the viewport is narrower than a cell, and no rows for no items', () => {
    expect(gridLayout(5, 40, 136, 170, 8).columns).toBe(1)
    expect(gridLayout(0, 1000, 136, 170, 8)).toMatchObject({ rows: 0, totalHeight: 0 })
  })

  it('renders only the rows on screen plus the overscan, at any depth of a 20,000-item list', () => {
    const l = gridLayout(20_000, 1000, 136, 170, 8)
    const r = visibleRange(l, 100_000, 600, 2)
    // Rows 561 … 565 intersect [100000, 100600) (178 px rows); two more on each side.
    expect(r).toEqual({ firstRow: 559, endRow: 568, first: 559 * 7, end: 568 * 7 })
    expect(r.end - r.first).toBe(9 * 7)
  })

  it('clamps the range at the top and at the partial last row', () => {
    const l = gridLayout(20, 1000, 136, 170, 8)
    expect(visibleRange(l, -50, 600, 2)).toMatchObject({ firstRow: 0, first: 0 })
    const end = visibleRange(l, 10_000, 600, 2)
    expect(end.endRow).toBe(3)
    expect(end.end).toBe(20)
    expect(visibleRange(gridLayout(0, 1000, 136, 170, 8), 0, 600, 2)).toEqual({
      firstRow: 0,
      endRow: 0,
      first: 0,
      end: 0
    })
  })

  it('places cells by row and column', () => {
    const l = gridLayout(100, 1000, 136, 170, 8)
    expect(cellPosition(l, 0)).toEqual({ x: 0, y: 0 })
    expect(cellPosition(l, 9)).toEqual({ x: 2 * l.cellWidth, y: 178 })
  })

  it('lists the pages a range needs', () => {
    expect(pagesForRange(0, 0, 200)).toEqual([])
    expect(pagesForRange(0, 200, 200)).toEqual([0])
    expect(pagesForRange(199, 201, 200)).toEqual([0, 1])
    expect(pagesForRange(3913, 3969, 200)).toEqual([19])
  })

  it('scrolls just enough to reveal a cell', () => {
    const l = gridLayout(1000, 1000, 136, 170, 8)
    expect(scrollToReveal(l, 0, 500, 600)).toBe(0)
    expect(scrollToReveal(l, 7 * 10, 0, 600)).toBe(11 * 178 - 600)
    expect(scrollToReveal(l, 7 * 3, 400, 600)).toBe(400)
  })
})

describe('keyboard cursor moves', () => {
  // 7 columns, 23 items: rows 0–2 full, row 3 holds 21 and 22.
  const mv = (i: number, m: Parameters<typeof moveIndex>[1]) => moveIndex(i, m, 7, 2, 23)

  it('moves by one, by a row and by a page, clamped to the list', () => {
    expect(mv(5, 'right')).toBe(6)
    expect(mv(22, 'right')).toBe(22)
    expect(mv(0, 'left')).toBe(0)
    expect(mv(10, 'down')).toBe(17)
    expect(mv(10, 'up')).toBe(3)
    expect(mv(3, 'up')).toBe(3)
    expect(mv(2, 'pageDown')).toBe(16)
    expect(mv(16, 'pageUp')).toBe(2)
    expect(mv(9, 'pageUp')).toBe(2)
    expect(mv(9, 'home')).toBe(0)
    expect(mv(0, 'end')).toBe(22)
  })

  it('lands on the last item when Down passes the last partial row, and stays there on the last row', () => {
    expect(mv(18, 'down')).toBe(22)
    expect(mv(21, 'down')).toBe(21)
    expect(mv(15, 'pageDown')).toBe(22)
  })

  it('returns -1 for an empty list and starts from the top when there is no cursor', () => {
    expect(moveIndex(0, 'down', 7, 2, 0)).toBe(-1)
    expect(moveIndex(-1, 'right', 7, 2, 10)).toBe(1)
  })
})

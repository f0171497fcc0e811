import type { DatasetItem, ItemFlag } from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import {
  isSelected,
  NO_SELECTION,
  rangeBounds,
  resolveSelection,
  selectAll,
  selectedCount,
  selectIds,
  selectOnly,
  selectRange,
  toggleItem,
  type Selection
} from './selection'
import { emptyMap, keepNearest, withEntry, withoutEntry } from './immutable-map'
import { pagesForRange, type GridMove, moveIndex } from './virtual-grid'

/** Items fetched per listItems call while scrolling (the backend allows up to 1000). */
export const PAGE_SIZE = 200
/** Pages kept in memory; the ones farthest from the screen are dropped beyond this (20,000 items = 100 pages). */
const MAX_PAGES = 30
/** Pages fetched ahead of and behind the rows on screen, so steady scrolling rarely shows placeholders. */
const LOOKAHEAD_ITEMS = PAGE_SIZE / 2
/** Items per call when every id matching the filter is needed (select-all actions). */
const ID_PAGE = 1000

/** The grid's filters; undefined = any. */
export interface ItemFilter {
  classId?: number
  split?: 'train' | 'val' | 'test' | 'unassigned'
  flag?: ItemFlag
  /** Case-insensitive substring of the path relative to the import root. */
  search?: string
  orderBy: 'id' | 'path' | 'class' | 'split' | 'size' | 'width'
}

/** Modifier keys of a click. */
export interface ClickMods {
  shift: boolean
  toggle: boolean
}

/**
 * The filtered item list of one dataset as a sparse cache of pages, fetched lazily for the rows the grid shows,
 * plus the selection and the keyboard cursor. Data changes (curation, undo) refetch the pages on screen while
 * the old ones stay visible, so the grid never flashes empty.
 */
export class ItemGridState {
  datasetId = $state<number | null>(null)
  filter = $state<ItemFilter>({ orderBy: 'id' })
  /** Items matching the filter. */
  total = $state(0)
  /** Set once the first page of the current filter arrived. */
  ready = $state(false)
  error = $state<string | null>(null)
  selection = $state.raw<Selection>(NO_SELECTION)
  /** Keyboard cursor: list index, -1 when none. */
  cursor = $state(-1)
  /** Rows PageUp/PageDown move (set by the grid from its height). */
  rowsPerPage = 4
  /** Columns of the grid as laid out (set by the grid). */
  columns = 1

  private pages = $state.raw(emptyMap<number, DatasetItem[]>())
  /** Pages from before the last data change, shown until their fresh copies arrive. */
  private stale = $state.raw(emptyMap<number, DatasetItem[]>())
  private gen = 0
  // Book-keeping of requests in flight, not state: nothing is drawn from it.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private loading = new Set<number>()
  private range = { first: 0, end: 0 }

  /** The item at list index `i`, or undefined while its page loads. */
  itemAt(i: number): DatasetItem | undefined {
    const p = Math.floor(i / PAGE_SIZE)
    return (this.pages.get(p) ?? this.stale.get(p))?.[i - p * PAGE_SIZE]
  }

  get selectedCount(): number {
    return selectedCount(this.selection, this.total)
  }

  isSelected(id: number): boolean {
    return isSelected(this.selection, id)
  }

  /** Shows another dataset (null = none), with default filters. */
  open(datasetId: number | null): void {
    this.datasetId = datasetId
    this.filter = { orderBy: 'id' }
    this.restart()
  }

  /** Changes filters; clears the selection because "all in filter" and off-screen picks would mislead. */
  setFilter(patch: Partial<ItemFilter>): void {
    this.filter = { ...this.filter, ...patch }
    this.restart()
  }

  /** The grid reports the item indexes it renders; missing pages are fetched. */
  showRange(first: number, end: number): void {
    this.range = { first, end }
    const ahead = pagesForRange(
      Math.max(0, first - LOOKAHEAD_ITEMS),
      Math.min(this.total, end + LOOKAHEAD_ITEMS),
      PAGE_SIZE
    )
    for (const p of ahead) if (!this.pages.has(p)) void this.fetchPage(p)
  }

  /** Data changed: refetch the pages on screen, keeping the old ones visible until then. */
  refresh(): void {
    if (this.datasetId === null) return
    this.gen++
    this.loading.clear()
    this.stale = this.pages.size ? this.pages : this.stale
    this.pages = emptyMap()
    const pages = pagesForRange(this.range.first, this.range.end, PAGE_SIZE)
    for (const p of pages.length ? pages : [0]) void this.fetchPage(p)
  }

  /** Click on the cell at `index`: select it alone, toggle it (Ctrl/Cmd) or select the range (Shift). */
  async click(index: number, id: number, mods: ClickMods): Promise<void> {
    this.cursor = index
    if (mods.shift) {
      const [a, b] = rangeBounds(this.selection, index)
      this.selection = selectRange(this.selection, await this.idsBetween(a, b), mods.toggle)
    } else if (mods.toggle) this.selection = toggleItem(this.selection, id, index)
    else this.selection = selectOnly(id, index)
  }

  /** Arrow/Page/Home/End: moves the cursor; with `extend` the selection grows from the anchor. */
  async move(move: GridMove, extend: boolean): Promise<void> {
    const to = moveIndex(this.cursor, move, this.columns, this.rowsPerPage, this.total)
    if (to < 0) return
    this.cursor = to
    if (extend) {
      const anchored = this.selection.anchor === null ? { ...this.selection, anchor: to } : this.selection
      const [a, b] = rangeBounds(anchored, to)
      this.selection = selectRange(anchored, await this.idsBetween(a, b), false)
    } else {
      const item = await this.itemAtLoaded(to)
      if (item) this.selection = selectOnly(item.id, to)
    }
  }

  /** Space: flips the cursor item in the selection. */
  toggleCursor(): void {
    const item = this.itemAt(this.cursor)
    if (item) this.selection = toggleItem(this.selection, item.id, this.cursor)
  }

  selectAll(): void {
    this.selection = selectAll()
  }

  clearSelection(): void {
    this.selection = NO_SELECTION
  }

  /** Makes sure the item being dragged is part of what is dragged (dragging an unselected item drags it alone). */
  dragStart(index: number, id: number): void {
    if (!this.isSelected(id)) {
      this.selection = selectOnly(id, index)
      this.cursor = index
    }
  }

  /**
   * The ids an action applies to: the selection, or the cursor item when nothing is selected. A select-all
   * becomes the explicit ids it resolved to, so a later key press cannot hit items that entered the filter since.
   */
  async targetIds(): Promise<number[]> {
    if (this.selectedCount === 0) {
      const item = this.itemAt(this.cursor)
      return item ? [item.id] : []
    }
    const ids = await resolveSelection(this.selection, () => this.allIds())
    if (this.selection.mode === 'all') this.selection = selectIds(ids)
    return ids
  }

  /** Loaded items among the targets, to decide whether X excludes or re-includes. */
  loadedTargets(): DatasetItem[] {
    if (this.selectedCount === 0) {
      const item = this.itemAt(this.cursor)
      return item ? [item] : []
    }
    const out: DatasetItem[] = []
    for (const [p, page] of this.stale) if (!this.pages.has(p)) out.push(...page.filter((it) => this.isSelected(it.id)))
    for (const page of this.pages.values()) out.push(...page.filter((it) => this.isSelected(it.id)))
    return out
  }

  private restart(): void {
    this.gen++
    this.loading.clear()
    this.pages = emptyMap()
    this.stale = emptyMap()
    this.selection = NO_SELECTION
    this.cursor = -1
    this.total = 0
    this.ready = false
    this.error = null
    this.range = { first: 0, end: 0 }
    if (this.datasetId !== null) void this.fetchPage(0)
  }

  private request(offset: number, limit: number) {
    const f = this.filter
    return api.datasets.listItems({
      datasetId: this.datasetId!,
      classId: f.classId,
      split: f.split,
      flag: f.flag,
      search: f.search?.trim() || undefined,
      orderBy: f.orderBy,
      offset,
      limit
    })
  }

  private async fetchPage(p: number): Promise<DatasetItem[] | undefined> {
    if (this.datasetId === null || this.loading.has(p)) return this.pages.get(p)
    const gen = this.gen
    this.loading.add(p)
    try {
      const page = await this.request(p * PAGE_SIZE, PAGE_SIZE)
      if (gen !== this.gen) return undefined
      // Pages far from the rows on screen are dropped so a long scroll does not keep all 20,000 items.
      const centre = (this.range.first + this.range.end) / 2 / PAGE_SIZE
      this.pages = keepNearest(withEntry(this.pages, p, page.items), centre, MAX_PAGES)
      this.stale = withoutEntry(this.stale, p)
      this.total = page.total
      this.ready = true
      this.error = null
      if (this.cursor >= page.total) this.cursor = page.total - 1
      return page.items
    } catch (err) {
      if (gen === this.gen) this.error = (err as Error).message
      return undefined
    } finally {
      if (gen === this.gen) this.loading.delete(p)
    }
  }

  private async itemAtLoaded(i: number): Promise<DatasetItem | undefined> {
    const p = Math.floor(i / PAGE_SIZE)
    const items = this.pages.get(p) ?? (await this.fetchPage(p))
    return items?.[i - p * PAGE_SIZE] ?? this.itemAt(i)
  }

  /** Ids of list indexes a … b (inclusive), fetching the pages between that are not loaded. */
  private async idsBetween(a: number, b: number): Promise<number[]> {
    const ids: number[] = []
    for (const p of pagesForRange(a, b + 1, PAGE_SIZE)) {
      const items = this.pages.get(p) ?? (await this.fetchPage(p)) ?? this.stale.get(p) ?? []
      items.forEach((it, k) => {
        const i = p * PAGE_SIZE + k
        if (i >= a && i <= b) ids.push(it.id)
      })
    }
    return ids
  }

  /** Every id matching the filter, paged from the backend. */
  private async allIds(): Promise<number[]> {
    const ids: number[] = []
    for (let offset = 0; ; offset += ID_PAGE) {
      const page = await this.request(offset, ID_PAGE)
      for (const it of page.items) ids.push(it.id)
      if (page.items.length < ID_PAGE || offset + ID_PAGE >= page.total) return ids
    }
  }
}

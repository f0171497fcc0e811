import type { ClassSummary, CurationOp, DatasetSummary } from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import { ItemGridState } from './item-grid-state.svelte'
import { formatCount } from './labels'

/** The panels of the Datasets view. */
export type DatasetsTab = 'items' | 'split' | 'leakage' | 'review' | 'map' | 'export' | 'import'

/** A one-line outcome of the last action, shown above the grid. */
export interface Notice {
  kind: 'ok' | 'error'
  text: string
}

/** How long to wait for more change events before refetching (an import or split sends several). */
const REFRESH_DELAY_MS = 40

/**
 * State of the Datasets view: the dataset list and the chosen dataset with its classes, undo history and item
 * grid. Every curation call goes through here; after each (and on the backend's `onChanged` event) the
 * summaries, classes, history and visible grid pages are refetched.
 */
export class DatasetsState {
  datasets = $state.raw<DatasetSummary[]>([])
  /** False until the first list arrived (so the empty state is not shown while loading). */
  loaded = $state(false)
  loadError = $state<string | null>(null)
  selectedId = $state<number | null>(null)
  classes = $state.raw<ClassSummary[]>([])
  /** The undo stack, newest first. */
  history = $state.raw<CurationOp[]>([])
  tab = $state<DatasetsTab>('items')
  notice = $state<Notice | null>(null)
  /** A curation call is in flight (keys are ignored meanwhile so a held key cannot queue dozens). */
  busy = $state(false)
  readonly grid = new ItemGridState()

  private refreshTimer: ReturnType<typeof setTimeout> | null = null
  private unsubscribe: (() => void) | null = null

  get current(): DatasetSummary | null {
    return this.datasets.find((d) => d.id === this.selectedId) ?? null
  }

  /** Loads the dataset list, picks the first dataset, and follows backend changes until `dispose`. */
  async load(): Promise<void> {
    this.unsubscribe ??= api.datasets.onChanged(({ datasetId }) => this.scheduleRefresh(datasetId))
    try {
      this.datasets = await api.datasets.list({})
      this.loadError = null
    } catch (err) {
      this.loadError = (err as Error).message
    }
    this.loaded = true
    if (this.selectedId === null || !this.current) await this.select(this.datasets[0]?.id ?? null)
  }

  dispose(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
  }

  /** Shows dataset `id` (null = none). */
  async select(id: number | null): Promise<void> {
    this.selectedId = id
    this.classes = []
    this.history = []
    this.notice = null
    this.grid.open(id)
    if (id !== null) await this.refreshDetails()
  }

  /** Refetches everything for the chosen dataset after a change (coalesced). */
  scheduleRefresh(datasetId?: number): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null
      void this.refreshAll(datasetId)
    }, REFRESH_DELAY_MS)
  }

  private async refreshAll(datasetId?: number): Promise<void> {
    try {
      this.datasets = await api.datasets.list({})
    } catch (err) {
      this.loadError = (err as Error).message
      return
    }
    if (this.selectedId !== null && !this.current) {
      await this.select(this.datasets[0]?.id ?? null)
      return
    }
    if (this.selectedId === null && this.datasets.length) {
      await this.select(datasetId ?? this.datasets[0].id)
      return
    }
    if (datasetId === undefined || datasetId === this.selectedId) {
      this.grid.refresh()
      await this.refreshDetails()
    }
  }

  private async refreshDetails(): Promise<void> {
    const id = this.selectedId
    if (id === null) return
    try {
      const [summary, classes, history] = await Promise.all([
        api.datasets.get({ datasetId: id }),
        api.datasets.listClasses({ datasetId: id }),
        api.datasets.history({ datasetId: id })
      ])
      if (id !== this.selectedId) return
      // The header's counts come from the list; keep the chosen dataset's entry as fresh as its classes.
      this.datasets = this.datasets.map((d) => (d.id === id ? summary : d))
      this.classes = classes
      this.history = history
    } catch (err) {
      this.notice = { kind: 'error', text: (err as Error).message }
    }
  }

  /** Runs one curation call, reports its outcome and refreshes. Returns false when it failed. */
  private async curate(what: () => Promise<string>): Promise<boolean> {
    if (this.busy) return false
    this.busy = true
    try {
      this.notice = { kind: 'ok', text: await what() }
      return true
    } catch (err) {
      this.notice = { kind: 'error', text: (err as Error).message }
      return false
    } finally {
      this.busy = false
      this.scheduleRefresh(this.selectedId ?? undefined)
    }
  }

  /** Gives the targets (selection, else cursor item) the label at `classIndex` of the class list. */
  async relabelToIndex(classIndex: number): Promise<void> {
    const cls = this.classes[classIndex]
    if (!cls) {
      this.notice = {
        kind: 'error',
        text: `no class number ${classIndex + 1}: the class list has ${this.classes.length}`
      }
      return
    }
    await this.relabel(cls.id)
  }

  async relabel(classId: number): Promise<void> {
    const cls = this.classes.find((c) => c.id === classId)
    await this.curate(async () => {
      const ids = await this.grid.targetIds()
      if (!ids.length) throw new Error('Select items first (click, Shift-click, Ctrl-click or Ctrl+A)')
      const r = await api.datasets.relabel({ itemIds: ids, classId })
      // Items that left the filtered view must not stay selected out of sight for the next key press.
      const f = this.grid.filter
      if (f.classId !== undefined && f.classId !== classId) this.grid.clearSelection()
      return `Relabelled ${formatCount(r.changed)} of ${formatCount(ids.length)} item(s) to ${cls?.name ?? `class ${classId}`}`
    })
  }

  /** Excludes the targets, or re-includes them (`excluded` false). */
  async setExcluded(excluded: boolean): Promise<void> {
    await this.curate(async () => {
      const ids = await this.grid.targetIds()
      if (!ids.length) throw new Error('Select items first (click, Shift-click, Ctrl-click or Ctrl+A)')
      const r = await api.datasets.setExcluded({
        itemIds: ids,
        excluded,
        reason: excluded ? 'excluded in curation' : undefined
      })
      const f = this.grid.filter
      if ((f.flag === 'included' && excluded) || (f.flag === 'excluded' && !excluded)) this.grid.clearSelection()
      return `${excluded ? 'Excluded' : 'Included'} ${formatCount(r.changed)} item(s)`
    })
  }

  /** X: re-includes when every loaded target is excluded, else excludes. */
  async toggleExcluded(): Promise<void> {
    const loaded = this.grid.loadedTargets()
    const allExcluded = this.grid.filter.flag === 'excluded' || (loaded.length > 0 && loaded.every((it) => it.excluded))
    await this.setExcluded(!allExcluded)
  }

  async addClass(name: string): Promise<boolean> {
    const id = this.selectedId
    if (id === null) return false
    return this.curate(async () => {
      await api.datasets.addClass({ datasetId: id, name })
      return `Added class ${name.trim()}`
    })
  }

  async renameClass(classId: number, name: string): Promise<boolean> {
    const old = this.classes.find((c) => c.id === classId)?.name
    return this.curate(async () => {
      await api.datasets.renameClass({ classId, name })
      return `Renamed class ${old ?? classId} to ${name.trim()}`
    })
  }

  async mergeClass(sourceId: number, targetId: number): Promise<boolean> {
    const name = (id: number) => this.classes.find((c) => c.id === id)?.name ?? String(id)
    return this.curate(async () => {
      const r = await api.datasets.mergeClasses({ sourceClassIds: [sourceId], targetClassId: targetId })
      if (this.grid.filter.classId === sourceId) this.grid.setFilter({ classId: undefined })
      return `Merged ${name(sourceId)} into ${name(targetId)} (${formatCount(r.changed)} item(s))`
    })
  }

  /** Undoes the newest curation action of the chosen dataset. */
  async undo(): Promise<void> {
    const id = this.selectedId
    if (id === null) return
    await this.curate(async () => {
      const { undone } = await api.datasets.undo({ datasetId: id, count: 1 })
      return undone.length ? `Undid ${undone[0].summary}` : 'Nothing to undo'
    })
  }
}

import type { LeakageFinding, LeakageReport, Split } from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import { emptyMap, withEntry, withoutEntry } from './immutable-map'

/** How a finding was resolved, shown on its card until the report is rerun. */
export interface Resolution {
  action: 'keep-together' | 'exclude'
  changed: number
}

/**
 * The leakage panel: the Hamming threshold, the report, and per-finding resolution (keep the files together in
 * one split, or exclude all but one). A resolved finding stays on screen marked as resolved so the list does not
 * jump; "Find" reruns the search.
 */
export class LeakageState {
  /** Near-duplicate threshold: differing bits of the 64-bit dHash (0–20). */
  threshold = $state(6)
  running = $state(false)
  report = $state.raw<LeakageReport | null>(null)
  error = $state<string | null>(null)
  resolved = $state.raw(emptyMap<string, Resolution>())
  /** Per finding: the item to keep when excluding (default its first item). */
  keep = $state.raw(emptyMap<string, number>())
  /** Per finding: the split to keep together in (undefined = where most of them are). */
  target = $state.raw(emptyMap<string, Split>())
  private reportFor: number | null = null

  /** `onChanged` runs after a resolution changed the dataset (the view refetches counts and the undo stack). */
  constructor(private readonly onChanged: () => void = () => {}) {}

  /** Forgets the report when another dataset is chosen. */
  syncWith(datasetId: number | null): void {
    if (datasetId === this.reportFor) return
    this.reportFor = datasetId
    this.report = null
    this.error = null
    this.resolved = emptyMap()
  }

  get findings(): LeakageFinding[] {
    return this.report ? [...this.report.exact, ...this.report.near] : []
  }

  async find(datasetId: number): Promise<void> {
    this.running = true
    this.error = null
    try {
      this.report = await api.datasets.leakage({ datasetId, threshold: this.threshold })
      this.reportFor = datasetId
      this.resolved = emptyMap()
      this.keep = emptyMap()
      this.target = emptyMap()
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.running = false
    }
  }

  setKeep(findingId: string, itemId: number): void {
    this.keep = withEntry(this.keep, findingId, itemId)
  }

  setTarget(findingId: string, split: Split | undefined): void {
    this.target = split ? withEntry(this.target, findingId, split) : withoutEntry(this.target, findingId)
  }

  async resolve(datasetId: number, f: LeakageFinding, action: Resolution['action']): Promise<void> {
    this.error = null
    try {
      const r = await api.datasets.resolveLeakage({
        datasetId,
        itemIds: f.items.map((i) => i.itemId),
        action,
        split: action === 'keep-together' ? this.target.get(f.id) : undefined,
        keepItemId: action === 'exclude' ? (this.keep.get(f.id) ?? f.items[0].itemId) : undefined
      })
      this.resolved = withEntry(this.resolved, f.id, { action, changed: r.changed })
      this.onChanged()
    } catch (err) {
      this.error = `${f.id}: ${(err as Error).message}`
    }
  }
}

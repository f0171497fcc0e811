import type { LeakageFinding, LeakageReport, Split } from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import { emptyMap, withEntry, withoutEntry } from './immutable-map'

/** How a finding was resolved, shown on its card until the report is rerun. */
export interface Resolution {
  action: 'keep-together' | 'exclude'
  changed: number
  /** Its undo entry; null when nothing changed. */
  opId: number | null
}

/** A bulk action waiting for the user's confirmation, with what it will change (counted by a dry run). */
export interface PendingAction {
  finding: LeakageFinding
  action: Resolution['action']
  /** Items that will change split (keep-together, including their group) or be excluded. */
  changed: number
  split: Split | undefined
  keepItemId: number | undefined
}

/** More items than this, in the finding or in what the action changes, and the action asks first. */
export const CONFIRM_ABOVE = 3

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
  /** The bulk action the confirmation dialog shows, if any. */
  pending = $state.raw<PendingAction | null>(null)
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

  /**
   * Resolves a finding. When the finding, or what the action would change (keep-together also moves the items'
   * groups), holds more than a handful of items, it first counts the change with a dry run and waits for
   * `confirm()`.
   */
  async resolve(datasetId: number, f: LeakageFinding, action: Resolution['action']): Promise<void> {
    this.error = null
    const split = action === 'keep-together' ? this.target.get(f.id) : undefined
    const keepItemId = action === 'exclude' ? (this.keep.get(f.id) ?? f.items[0].itemId) : undefined
    const itemIds = f.items.map((i) => i.itemId)
    try {
      const dry = await api.datasets.resolveLeakage({ datasetId, itemIds, action, split, keepItemId, dryRun: true })
      if (f.items.length > CONFIRM_ABOVE || dry.changed > CONFIRM_ABOVE) {
        this.pending = { finding: f, action, changed: dry.changed, split, keepItemId }
        return
      }
      await this.apply(datasetId, { finding: f, action, changed: dry.changed, split, keepItemId })
    } catch (err) {
      this.error = `${f.id}: ${(err as Error).message}`
    }
  }

  /** Carries out the pending bulk action. */
  async confirm(datasetId: number): Promise<void> {
    const p = this.pending
    this.pending = null
    if (!p) return
    try {
      await this.apply(datasetId, p)
    } catch (err) {
      this.error = `${p.finding.id}: ${(err as Error).message}`
    }
  }

  cancel(): void {
    this.pending = null
  }

  /**
   * Undoes a resolution, when it is still the newest action on the dataset's undo stack (otherwise the user
   * undoes it, and what came after it, from the curation history).
   */
  async undo(datasetId: number, findingId: string): Promise<void> {
    const done = this.resolved.get(findingId)
    if (!done || done.opId === null) return
    this.error = null
    try {
      const [newest] = await api.datasets.history({ datasetId })
      if (newest?.id !== done.opId) {
        this.error = 'Newer changes were made since; undo them first in the curation history.'
        return
      }
      await api.datasets.undo({ datasetId, count: 1 })
      this.resolved = withoutEntry(this.resolved, findingId)
      this.onChanged()
    } catch (err) {
      this.error = `${findingId}: ${(err as Error).message}`
    }
  }

  private async apply(datasetId: number, p: PendingAction): Promise<void> {
    const f = p.finding
    const r = await api.datasets.resolveLeakage({
      datasetId,
      itemIds: f.items.map((i) => i.itemId),
      action: p.action,
      split: p.split,
      keepItemId: p.keepItemId
    })
    this.resolved = withEntry(this.resolved, f.id, { action: p.action, changed: r.changed, opId: r.opId })
    this.onChanged()
  }
}

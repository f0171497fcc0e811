import type { ClassSummary, LabelIssueItem, LabelIssueReport } from '../../../shared/contract'
import { api } from '../lib/api'

export type ReviewChoice = 'keep' | 'relabel' | 'exclude'

/**
 * The "Review labels" queue: the items a cross-validation study's out-of-fold predictions doubt, one at a
 * time. Relabel and exclude go through the dataset's curation log (so Ctrl+Z undoes them like any curation);
 * keep changes nothing and only moves on.
 */
export class LabelReviewState {
  datasetId = $state<number | null>(null)
  report = $state.raw<LabelIssueReport | null>(null)
  index = $state(0)
  /** Choices made in this session, newest last (undo walks back through them). */
  choices = $state.raw<{ itemId: number; choice: ReviewChoice }[]>([])
  busy = $state(false)
  error = $state<string | null>(null)
  notice = $state<string | null>(null)

  get current(): LabelIssueItem | null {
    return this.report?.items[this.index] ?? null
  }

  async load(datasetId: number): Promise<void> {
    this.datasetId = datasetId
    this.error = null
    this.notice = null
    this.report = null
    try {
      const r = await api.evidence.labelIssues({ datasetId })
      if (this.datasetId !== datasetId) return
      this.report = r
      this.index = 0
      this.choices = []
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** Keep the label, relabel to the suggestion, or exclude the image; then the next one. */
  async choose(choice: ReviewChoice, classes: readonly ClassSummary[]): Promise<void> {
    const item = this.current
    if (!item || this.busy) return
    this.busy = true
    this.error = null
    try {
      if (choice === 'relabel') {
        const cls = classes.find((c) => c.name === item.suggested)
        if (!cls) throw new Error(`the dataset has no class "${item.suggested}" any more`)
        await api.datasets.relabel({ itemIds: [item.itemId], classId: cls.id })
        this.notice = `Relabelled to ${item.suggested}`
      } else if (choice === 'exclude') {
        await api.datasets.setExcluded({
          itemIds: [item.itemId],
          excluded: true,
          reason: `label review: given ${item.given}, out-of-fold prediction suggests ${item.suggested}`
        })
        this.notice = 'Excluded'
      } else this.notice = `Kept as ${item.given}`
      this.choices = [...this.choices, { itemId: item.itemId, choice }]
      this.index++
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }

  /** Steps back one item, undoing its relabel or exclusion through the curation log. */
  async undo(): Promise<void> {
    const last = this.choices.at(-1)
    if (!last || this.busy || this.datasetId === null) return
    this.busy = true
    try {
      if (last.choice !== 'keep') {
        const { undone } = await api.datasets.undo({ datasetId: this.datasetId, count: 1 })
        this.notice = undone.length ? `Undid ${undone[0].summary}` : 'Nothing to undo'
      } else this.notice = 'Back to the previous image'
      this.choices = this.choices.slice(0, -1)
      this.index = Math.max(0, this.index - 1)
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }
}

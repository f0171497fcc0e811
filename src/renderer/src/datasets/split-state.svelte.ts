import type {
  DatasetSummary,
  GroupBy,
  GroupingPreview,
  GroupingSuggestion,
  SplitReport
} from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import { DEFAULT_SPLIT_FORM, formFromConfig, formWithGroupBy, readSplitForm, type SplitForm } from './split-form'

/** Wait after the last keystroke before previewing a regex grouping, ms. */
const PREVIEW_DELAY_MS = 250

/** The split panel: the form (seeded from the dataset's last split), the call, and its per-split report. */
export class SplitState {
  form = $state<SplitForm>({ ...DEFAULT_SPLIT_FORM })
  running = $state(false)
  report = $state.raw<SplitReport | null>(null)
  error = $state<string | null>(null)
  /** What the grouping in the form would give (live, also while typing a regex). */
  preview = $state.raw<GroupingPreview | null>(null)
  previewError = $state<string | null>(null)
  /** A grouping inferred from paths, when most items lack a PatientID. */
  suggestion = $state.raw<GroupingSuggestion | null>(null)
  /** The user confirmed a patient split although it groups (almost) nothing. */
  confirmUngrouped = $state(false)
  private formFor: number | null = null
  private previewTimer: ReturnType<typeof setTimeout> | null = null
  private previewToken = 0

  /** `onChanged` runs after a split changed the dataset (the view refetches counts and the undo stack). */
  constructor(private readonly onChanged: () => void = () => {}) {}

  /** Shows the last split's settings when another dataset is chosen (keeps edits for the same one). */
  syncWith(ds: DatasetSummary | null): void {
    if (!ds || ds.id === this.formFor) return
    this.formFor = ds.id
    this.form = ds.splitConfig ? formFromConfig(ds.splitConfig) : { ...DEFAULT_SPLIT_FORM }
    this.report = null
    this.error = null
    this.preview = null
    this.suggestion = null
    this.confirmUngrouped = false
  }

  /**
   * A patient split on a dataset where most items have no PatientID would put every image in its own group,
   * so one patient's slices could land in train and test. Such a split waits for `confirmUngrouped`.
   */
  get groupsNothing(): boolean {
    const p = this.preview
    return !!p && p.groupBy.kind === 'patient' && p.items > 0 && p.withoutKey > p.items / 2
  }

  /** Puts the suggested grouping into the form. */
  useSuggestion(): void {
    if (!this.suggestion) return
    this.form = formWithGroupBy(this.form, this.suggestion.preview.groupBy)
  }

  /** Refreshes the preview of the form's grouping, after a short pause for typed patterns. */
  schedulePreview(datasetId: number): void {
    if (this.previewTimer) clearTimeout(this.previewTimer)
    const r = readSplitForm(this.form)
    if (!r.ok) {
      this.preview = null
      return
    }
    const delay = r.groupBy.kind === 'regex' ? PREVIEW_DELAY_MS : 0
    this.previewTimer = setTimeout(() => void this.loadPreview(datasetId, r.groupBy), delay)
  }

  private async loadPreview(datasetId: number, groupBy: GroupBy): Promise<void> {
    const token = ++this.previewToken
    try {
      const r = await api.datasets.previewGrouping({ datasetId, groupBy })
      if (token !== this.previewToken) return
      this.preview = r.preview
      this.suggestion = r.suggestion
      this.previewError = null
    } catch (err) {
      if (token === this.previewToken) this.previewError = (err as Error).message
    }
  }

  get validation(): string | null {
    const r = readSplitForm(this.form)
    return r.ok ? null : r.error
  }

  async run(datasetId: number): Promise<void> {
    const r = readSplitForm(this.form)
    if (!r.ok) {
      this.error = r.error
      return
    }
    if (r.groupBy.kind === 'patient' && this.groupsNothing && !this.confirmUngrouped) {
      this.error =
        'Most items have no PatientID: use the proposed grouping, or confirm that each image is its own group'
      return
    }
    this.running = true
    this.error = null
    try {
      this.report = await api.datasets.split({ datasetId, val: r.val, test: r.test, seed: r.seed, groupBy: r.groupBy })
      this.onChanged()
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.running = false
    }
  }
}

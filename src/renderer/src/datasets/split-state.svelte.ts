import type { DatasetSummary, SplitReport } from '../../../shared/contract/datasets'
import { api } from '../lib/api'
import { DEFAULT_SPLIT_FORM, formFromConfig, readSplitForm, type SplitForm } from './split-form'

/** The split panel: the form (seeded from the dataset's last split), the call, and its per-split report. */
export class SplitState {
  form = $state<SplitForm>({ ...DEFAULT_SPLIT_FORM })
  running = $state(false)
  report = $state.raw<SplitReport | null>(null)
  error = $state<string | null>(null)
  private formFor: number | null = null

  /** `onChanged` runs after a split changed the dataset (the view refetches counts and the undo stack). */
  constructor(private readonly onChanged: () => void = () => {}) {}

  /** Shows the last split's settings when another dataset is chosen (keeps edits for the same one). */
  syncWith(ds: DatasetSummary | null): void {
    if (!ds || ds.id === this.formFor) return
    this.formFor = ds.id
    this.form = ds.splitConfig ? formFromConfig(ds.splitConfig) : { ...DEFAULT_SPLIT_FORM }
    this.report = null
    this.error = null
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

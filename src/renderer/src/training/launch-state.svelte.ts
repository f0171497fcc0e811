import { longRunQuestion } from './launch-guard'
import type { LiveRuns } from './live-runs.svelte'
import type { TrainingForm } from './training-form.svelte'

/**
 * Launching a run from the Training view's form: a run estimated at more than an hour first asks
 * (`longRun` holds the question until it is answered); launching from the current curation lists the version
 * it froze.
 */
export class Launcher {
  /** The long-run question awaiting an answer, or null. */
  longRun = $state<string | null>(null)

  constructor(
    private readonly form: TrainingForm,
    private readonly runs: LiveRuns
  ) {}

  /** Launches the form's run; `confirmed` = the user answered the long-run question with yes. */
  async launch(confirmed = false): Promise<void> {
    const form = this.form
    if (form.datasetId === null || !form.check.config) return
    form.launching = true
    form.launchError = null
    this.longRun = null
    try {
      if (!confirmed) {
        // The estimate this launch would get (cached speeds make it quick after the first time).
        if (!form.estimate || form.estimateStale) await form.runEstimate()
        this.longRun = form.estimateStale ? null : longRunQuestion(form.estimate)
        if (this.longRun) return
      }
      await this.runs.launch({
        datasetId: form.datasetId,
        versionId: form.versionId ?? undefined,
        name: form.name.trim() || undefined,
        config: form.check.config
      })
      form.name = ''
      // Launching from the current curation froze a new version: list it.
      if (form.versionId === null) void form.selectDataset(form.datasetId)
    } catch (err) {
      form.launchError = (err as Error).message
    } finally {
      form.launching = false
    }
  }
}

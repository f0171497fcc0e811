import type { LrFindResult, RunSummary, TrainingConfig } from '../../../shared/contract'
import { api } from '../lib/api'

/**
 * The learning-rate finder of the Training view: which stage to sweep (stage 2 starts from a completed run's
 * stage 1 head), runs the sweep for the chosen dataset, follows its progress, cancels it, and keeps the last
 * result to plot.
 */
export class LrFindState {
  result = $state.raw<LrFindResult | null>(null)
  busy = $state(false)
  error = $state<string | null>(null)
  /** The last sweep was cancelled by the user (said plainly, not as an error). */
  cancelled = $state(false)
  /** The engine's latest progress line while the sweep runs. */
  progress = $state<string | null>(null)
  stage = $state<1 | 2>(1)
  /** Stage 2: the run whose stage 1 head the sweep starts from. */
  runId = $state<number | null>(null)
  /** Completed runs of the dataset (what a stage 2 sweep can start from), newest first. */
  runs = $state.raw<RunSummary[]>([])
  private datasetId: number | null = null
  private listening = false

  private listen(): void {
    if (this.listening) return
    this.listening = true
    api.evidence.onLrFindEvent((e) => {
      if (this.busy && e.datasetId === this.datasetId)
        this.progress = e.progress === null ? e.text : `${e.text} · ${Math.round(e.progress * 100)} %`
    })
  }

  /** The last result, when it belongs to this dataset and to the stage (and, for stage 2, run) now chosen. */
  resultFor(datasetId: number | null): LrFindResult | null {
    const r = this.result
    if (!r || r.datasetId !== datasetId || r.stage !== this.stage) return null
    return r.stage === 1 || r.runId === this.runId ? r : null
  }

  /** Lists the dataset's completed runs for the stage 2 picker, keeping the chosen run when it is still there. */
  async loadRuns(datasetId: number): Promise<void> {
    try {
      const runs = (await api.training.listRuns({}))
        .filter((r) => r.datasetId === datasetId && r.status === 'completed')
        .sort((a, b) => b.id - a.id)
      this.runs = runs
      if (!runs.some((r) => r.id === this.runId)) this.runId = runs[0]?.id ?? null
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async run(datasetId: number, config: TrainingConfig): Promise<void> {
    if (this.stage === 2 && this.runId === null) return
    this.listen()
    this.datasetId = datasetId
    this.busy = true
    this.error = null
    this.cancelled = false
    this.progress = 'Starting the engine'
    try {
      this.result = await api.evidence.findLearningRate(
        this.stage === 2 ? { datasetId, stage: 2, runId: this.runId! } : { datasetId, config }
      )
    } catch (err) {
      const e = err as { code?: string; message?: string }
      if (e?.code === 'CANCELLED') this.cancelled = true
      else this.error = e?.message ?? String(err)
    } finally {
      this.busy = false
      this.progress = null
    }
  }

  /** Asks the engine to stop; the running call then ends with 'the learning-rate sweep was cancelled'. */
  async cancel(): Promise<void> {
    if (this.datasetId === null) return
    this.progress = 'Cancelling…'
    try {
      await api.evidence.cancelLearningRate({ datasetId: this.datasetId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }
}

export const lrFindState = new LrFindState()

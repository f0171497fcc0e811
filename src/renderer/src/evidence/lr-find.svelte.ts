import type { LrFindResult, TrainingConfig } from '../../../shared/contract'
import { api } from '../lib/api'

/**
 * The learning-rate finder of the Training view: runs the sweep for the chosen dataset and configuration,
 * follows its progress, and keeps the last result to plot.
 */
export class LrFindState {
  result = $state.raw<LrFindResult | null>(null)
  busy = $state(false)
  error = $state<string | null>(null)
  /** The engine's latest progress line while the sweep runs. */
  progress = $state<string | null>(null)
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

  async run(datasetId: number, config: TrainingConfig): Promise<void> {
    this.listen()
    this.datasetId = datasetId
    this.busy = true
    this.error = null
    this.progress = 'Starting the engine'
    try {
      this.result = await api.evidence.findLearningRate({ datasetId, config })
    } catch (err) {
      this.error = (err as Error)?.message ?? String(err)
    } finally {
      this.busy = false
      this.progress = null
    }
  }
}

export const lrFindState = new LrFindState()

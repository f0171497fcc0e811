import {
  Watched,
  type EpochLogs,
  type Json,
  type Monitor,
  type TrainingCallback,
  type TrainingControl
} from './callback'
import type { NamedWeights } from './weights'

/** Options of EarlyStopping (Keras semantics). */
export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  monitor?: Monitor
  /** Epochs without improvement before stopping. Default 10. */
  patience?: number
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number
  /** Put back the weights of the best epoch when training ends. Default true. */
  restoreBestWeights?: boolean
}

/**
 * Stops training when the monitored quantity has not improved for `patience` epochs. With
 * `restoreBestWeights` the best epoch's weights are written back at the end of the stage (as Keras 3
 * does), whether or not the stop was early. Epochs where the quantity is missing are skipped.
 */
export class EarlyStopping implements TrainingCallback {
  readonly name = 'early_stopping'
  readonly monitor: Monitor
  readonly patience: number
  readonly minDelta: number
  readonly restoreBestWeights: boolean
  private readonly watched: Watched
  best: number | null = null
  bestEpoch = -1
  wait = 0
  stoppedEpoch = -1
  private bestWeights: NamedWeights | null = null

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'val_loss'
    this.patience = opts.patience ?? 10
    this.minDelta = Math.abs(opts.minDelta ?? 0)
    this.restoreBestWeights = opts.restoreBestWeights ?? true
    this.watched = new Watched(this.monitor, this.minDelta)
  }

  onEpochEnd(logs: EpochLogs, ctl: TrainingControl): void {
    const current = this.watched.read(logs)
    if (current === null) return
    this.wait += 1
    if (this.watched.improves(current, this.best)) {
      this.best = current
      this.bestEpoch = logs.epoch
      this.wait = 0
      if (this.restoreBestWeights) this.bestWeights = ctl.snapshot()
      return
    }
    if (this.wait >= this.patience) {
      this.stoppedEpoch = logs.epoch
      ctl.stop(
        `early stopping: ${this.monitor} did not improve for ${this.wait} epochs (best ${this.best} at epoch ${this.bestEpoch})`
      )
    }
  }

  onTrainEnd(ctl: TrainingControl): void {
    if (this.restoreBestWeights && this.bestWeights) ctl.restore(this.bestWeights)
  }

  getState(): Json {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch }
  }

  setState(state: Json): void {
    const s = state as { best: number | null; bestEpoch: number; wait: number; stoppedEpoch: number }
    this.best = s.best
    this.bestEpoch = s.bestEpoch
    this.wait = s.wait
    this.stoppedEpoch = s.stoppedEpoch
  }

  heldWeights(): NamedWeights | null {
    return this.bestWeights
  }

  setHeldWeights(weights: NamedWeights): void {
    this.bestWeights = weights
  }

  dispose(): void {
    this.bestWeights = null
  }
}

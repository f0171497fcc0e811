import {
  Watched,
  type EpochLogs,
  type Json,
  type Monitor,
  type TrainingCallback,
  type TrainingControl
} from './callback'
import type { NamedWeights } from './weights'

/** Persists a checkpoint; `weights` are plain arrays the hook may keep. */
export type SaveCheckpoint = (epoch: number, weights: NamedWeights, logs: EpochLogs) => void | Promise<void>

/** Options of ModelCheckpoint. */
export interface ModelCheckpointOptions {
  /** Called with the model's weights whenever the monitored quantity improves. */
  saveCheckpoint: SaveCheckpoint
  /** Default 'val_accuracy' (the recipe's "best by val_accuracy"). */
  monitor?: Monitor
}

/** Keras ModelCheckpoint(save_best_only=True): hands the weights of every new best epoch to a hook. */
export class ModelCheckpoint implements TrainingCallback {
  readonly name = 'model_checkpoint'
  readonly monitor: Monitor
  private readonly watched: Watched
  private save: SaveCheckpoint
  best: number | null = null
  bestEpoch = -1

  constructor(opts: ModelCheckpointOptions) {
    this.save = opts.saveCheckpoint
    this.monitor = opts.monitor ?? 'val_accuracy'
    this.watched = new Watched(this.monitor)
  }

  async onEpochEnd(logs: EpochLogs, ctl: TrainingControl): Promise<void> {
    const current = this.watched.read(logs)
    if (current === null || !this.watched.improves(current, this.best)) return
    this.best = current
    this.bestEpoch = logs.epoch
    await this.save(logs.epoch, ctl.snapshot(), logs)
  }

  getState(): Json {
    return { best: this.best, bestEpoch: this.bestEpoch }
  }

  setState(state: Json): void {
    const s = state as { best: number | null; bestEpoch: number }
    this.best = s.best
    this.bestEpoch = s.bestEpoch
  }
}

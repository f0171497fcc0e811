import {
  Watched,
  type EpochLogs,
  type Json,
  type Monitor,
  type TrainingCallback,
  type TrainingControl
} from './callback'

/** Options of ReduceLROnPlateau (Keras semantics and defaults, except those of the recipe). */
export interface ReduceLROnPlateauOptions {
  /** Default 'val_loss'. */
  monitor?: Monitor
  /** New lr = lr × factor. Default 0.5. */
  factor?: number
  /** Epochs without improvement before reducing. Default 5. */
  patience?: number
  /** Lower bound of the learning rate. Default 1e-7. */
  minLr?: number
  /** Smallest change that counts as an improvement. Default 1e-4 (Keras). */
  minDelta?: number
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number
}

/** Multiplies the learning rate by `factor` when the monitored quantity plateaus for `patience` epochs. */
export class ReduceLROnPlateau implements TrainingCallback {
  readonly name = 'reduce_lr_on_plateau'
  readonly monitor: Monitor
  readonly factor: number
  readonly patience: number
  readonly minLr: number
  readonly minDelta: number
  readonly cooldown: number
  private readonly watched: Watched
  best: number | null = null
  wait = 0
  cooldownCounter = 0
  /** Epochs (0-based) after which the rate was reduced, with the new rate. */
  reductions: { epoch: number; lr: number }[] = []

  constructor(opts: ReduceLROnPlateauOptions = {}) {
    this.monitor = opts.monitor ?? 'val_loss'
    this.factor = opts.factor ?? 0.5
    this.patience = opts.patience ?? 5
    this.minLr = opts.minLr ?? 1e-7
    this.minDelta = opts.minDelta ?? 1e-4
    this.cooldown = opts.cooldown ?? 0
    this.watched = new Watched(this.monitor, this.minDelta)
  }

  onEpochEnd(logs: EpochLogs, ctl: TrainingControl): void {
    const current = this.watched.read(logs)
    if (current === null) return
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1
      this.wait = 0
    }
    if (this.watched.improves(current, this.best)) {
      this.best = current
      this.wait = 0
      return
    }
    if (this.cooldownCounter > 0) return
    this.wait += 1
    if (this.wait >= this.patience) {
      const old = ctl.lr
      // The tolerance keeps float noise from reducing an lr that already sits at the floor.
      if (old > this.minLr * (1 + 1e-6)) {
        const next = Math.max(old * this.factor, this.minLr)
        ctl.lr = next
        this.reductions.push({ epoch: logs.epoch, lr: next })
        this.cooldownCounter = this.cooldown
        this.wait = 0
      }
    }
  }

  getState(): Json {
    return { best: this.best, wait: this.wait, cooldownCounter: this.cooldownCounter, reductions: this.reductions }
  }

  setState(state: Json): void {
    const s = state as {
      best: number | null
      wait: number
      cooldownCounter: number
      reductions: { epoch: number; lr: number }[]
    }
    this.best = s.best
    this.wait = s.wait
    this.cooldownCounter = s.cooldownCounter
    this.reductions = s.reductions.map((r) => ({ ...r }))
  }
}

import type { EpochMetrics } from '../../../shared/contract/training'
import type { NamedWeights } from './weights'

/** A JSON value (callback and resume state must survive JSON.stringify/parse unchanged). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Metrics of one finished epoch, as Keras logs them (the catalog's EpochMetrics without the stage). */
export interface EpochLogs extends Omit<EpochMetrics, 'stage'> {
  /** Training samples per second over the epoch (data loading included). */
  samplesPerSecond: number
}

/** Quantities a callback may monitor, with Keras' names. */
export type Monitor = 'loss' | 'accuracy' | 'val_loss' | 'val_accuracy'

/** Reads a monitored quantity from the logs; null when absent (no validation data). */
export function monitored(logs: EpochLogs, monitor: Monitor): number | null {
  switch (monitor) {
    case 'loss':
      return logs.loss
    case 'accuracy':
      return logs.accuracy
    case 'val_loss':
      return logs.valLoss
    case 'val_accuracy':
      return logs.valAccuracy
  }
}

/** 'min' for losses, 'max' for accuracies (Keras' mode='auto'). */
export function defaultMode(monitor: Monitor): 'min' | 'max' {
  return monitor.endsWith('loss') ? 'min' : 'max'
}

/** What a callback may do to the run it observes. */
export interface TrainingControl {
  /** Current epoch (0-based). */
  readonly epoch: number
  /** The optimizer's learning rate; setting it applies from the next step. */
  lr: number
  /** Asks the loop to stop after this epoch's callbacks. */
  stop(reason: string): void
  /** A copy of the model's current weights (all of them, BN statistics included), as plain arrays. */
  snapshot(): NamedWeights
  /** Writes weights from snapshot() (or from a resume file) back into the model, checking names and sizes. */
  restore(weights: NamedWeights): void
}

/**
 * A training callback for trainStage. `name` keys its state in the resume JSON, so it must be unique
 * among the callbacks of a stage.
 */
export interface TrainingCallback {
  readonly name: string
  onEpochEnd(logs: EpochLogs, ctl: TrainingControl): void | Promise<void>
  onTrainEnd?(ctl: TrainingControl): void | Promise<void>
  /** Serialisable state for resume. */
  getState(): Json
  /** Restores getState() output (called before the first resumed epoch). */
  setState(state: Json): void
  /** Weights the callback holds that must survive a resume (EarlyStopping's best), or null. */
  heldWeights?(): NamedWeights | null
  /** Gives back heldWeights() output on resume. */
  setHeldWeights?(weights: NamedWeights): void
  /** Drops what the callback holds. trainStage calls it when the stage ends. */
  dispose?(): void
}

/** True when `current` beats `best` by more than `minDelta` in the given mode. */
export function isImprovement(current: number, best: number | null, mode: 'min' | 'max', minDelta: number): boolean {
  if (best === null) return true
  return mode === 'min' ? current < best - minDelta : current > best + minDelta
}

/**
 * The quantity a callback watches, as Keras' callbacks do with `monitor`, mode='auto' and `min_delta`: read
 * from each epoch's logs and compared with the best value so far.
 */
export class Watched {
  readonly mode: 'min' | 'max'

  constructor(
    readonly monitor: Monitor,
    readonly minDelta = 0
  ) {
    this.mode = defaultMode(monitor)
  }

  /** The quantity in `logs`; null when it is missing (no validation data) or not finite: the epoch is skipped. */
  read(logs: EpochLogs): number | null {
    const current = monitored(logs, this.monitor)
    return current === null || !Number.isFinite(current) ? null : current
  }

  /** True when `current` beats `best` by more than minDelta. */
  improves(current: number, best: number | null): boolean {
    return isImprovement(current, best, this.mode, this.minDelta)
  }
}

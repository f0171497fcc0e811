import { z } from 'zod'
import { Id, Name } from '../common'
import { TrainingConfigSchema, type TrainingConfig } from '../training-config'
import type { Interval } from '../evidence'
import type { BackboneInfo } from './backbones'
import type { ModelOrigin, StageBackends } from './engines'
import type { Evaluation } from './evaluation'
import type { LearningVerdict } from './verdict'

/** A training run as the catalog holds it (runs, run_epochs, run_marks, run_log) and its live events. */

/** Life cycle of a run. `interrupted` = the engine or the app died mid-run; it can be resumed. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted'

/**
 * One epoch's metrics, as the training loop logs them (Keras' logs) and the catalog stores them (`run_epochs`).
 * Losses are mean categorical cross-entropy in nats, accuracies in [0, 1].
 */
export interface EpochMetrics {
  stage: 1 | 2
  /** 0-based epoch within the stage. */
  epoch: number
  /** Mean training loss over the epoch's samples (class-weighted when class weights are on). */
  loss: number
  /** Training accuracy (dropout active, as Keras reports it). */
  accuracy: number
  /** Validation loss, unweighted; null without a validation split. */
  valLoss: number | null
  /** Validation accuracy; null without a validation split. */
  valAccuracy: number | null
  /** Learning rate used during the epoch (a plateau reduction applies from the next one). */
  lr: number
  /** Wall time of the epoch including validation, in seconds. */
  seconds: number
}

export interface RunSummary {
  id: number
  name: string
  status: RunStatus
  datasetId: number
  datasetName: string
  versionId: number
  /** The version's number within its dataset (v1, v2, …). */
  versionNumber: number
  backbone: string
  /** The tfjs backend the engine process selected (the whole run's engine before per-stage backends existed). */
  backend: string | null
  /**
   * The engine each stage trained on, recorded when the run ends (catalog migration 008); null for runs that
   * have not ended or ended before it was recorded (then only `backend` is known).
   */
  stageBackends?: StageBackends | null
  /** Where the saved model's weights come from, recorded when the run ends; null as for stageBackends. */
  modelOrigin?: ModelOrigin | null
  /** Stage currently or last running. */
  stage: 1 | 2 | null
  /** Best epoch accuracy on the validation split. */
  bestValAccuracy: number | null
  /**
   * The split the final evaluation (evaluationAccuracy, macroF1) was measured on: 'test', or 'val' when the
   * version has no test split (then the figures are optimistic). Null before an evaluation exists.
   */
  evaluationSplit: 'test' | 'val' | null
  /** Accuracy of the saved model on `evaluationSplit`. */
  evaluationAccuracy: number | null
  /** Macro-averaged F1 on `evaluationSplit`. */
  macroF1: number | null
  /** 95 % bootstrap intervals of evaluationAccuracy and macroF1; null when the evaluation has none. */
  evaluationIntervals?: { accuracy: Interval; macroF1: Interval } | null
  /** Did the run learn? Null until the run has ended. */
  verdict: LearningVerdict | null
  /**
   * Wall-clock seconds the run spent running, summed over its start and every resume (engine start, embedding,
   * both stages, evaluation and saving); for a running run, up to now.
   */
  durationSeconds: number
  startedAt: string | null
  finishedAt: string | null
  createdAt: string
  note: string
  error: string | null
  /** Absolute path of the model folder once a checkpoint exists. */
  modelDir: string | null
}

export interface RunDetail extends RunSummary {
  config: TrainingConfig
  classNames: string[]
  backboneInfo: BackboneInfo | null
  epochs: EpochMetrics[]
  /** Marked events for the curves: stage changes, early stop, LR drops, checkpoints. */
  marks: RunMark[]
  evaluation: Evaluation | null
  log: string[]
}

export interface RunMark {
  kind: 'stage' | 'early-stop' | 'lr-drop' | 'checkpoint' | 'resume'
  stage: 1 | 2
  epoch: number
  text: string
}

/** Live events of a running run. Per batch: loss/accuracy/images per second; per epoch: EpochMetrics. */
export type RunEvent =
  | {
      runId: number
      type: 'status'
      status: RunStatus
      error?: string
      /** With a final status: whether the run learned (absent while running or when it has no epochs). */
      verdict?: LearningVerdict
    }
  | { runId: number; type: 'phase'; text: string; progress: number | null }
  | {
      runId: number
      type: 'batch'
      stage: 1 | 2
      epoch: number
      batch: number
      batches: number
      loss: number
      accuracy: number
      imagesPerSecond: number
      /** Seconds left in the running stage (its remaining epochs and their validation), from measured speed. */
      etaSeconds: number | null
    }
  | { runId: number; type: 'epoch'; metrics: EpochMetrics; etaSeconds: number | null }
  | { runId: number; type: 'mark'; mark: RunMark }
  | { runId: number; type: 'log'; line: string }

export const StartRunRequest = z
  .object({
    datasetId: Id,
    /** Frozen dataset version; a new one is created from the current curation when absent. */
    versionId: Id.optional(),
    name: Name.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
    /**
     * This run is fold `fold` (0-based) of cross-validation study `studyId`: it trains on the study's
     * version with the fold held out as its test split, instead of the version's own splits.
     */
    fold: z
      .object({ studyId: Id, fold: z.number().int().min(0).max(19) })
      .strict()
      .optional()
  })
  .strict()

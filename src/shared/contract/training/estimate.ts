import { z } from 'zod'
import { Id } from '../common'
import { TrainingConfigSchema } from '../training-config'

/** The time estimate shown before launch and the speeds measured on this machine that it rests on. */

/** One part of a training estimate. */
export interface StageEstimate {
  part: 'setup' | 'embeddings' | 'stage1' | 'stage2' | 'evaluation'
  label: string
  seconds: number
  /** The tfjs backend this part runs on. */
  backend: string
  /** Epochs counted (the configured maximum; early stopping may end sooner), null for one-pass parts. */
  epochs: number | null
  /** The measured rate the estimate uses, e.g. '36.2 img/s backbone embedding (2 workers)'. */
  basis: string
}

/** Speeds measured on this machine (cached in the catalog settings per backend and input size). */
export interface Calibration {
  backend: string
  inputSize: number
  /** Backbone embedding with the worker pool stage 1 uses, images/s (decode and preprocessing included). */
  embedImagesPerSecond: number
  /** Workers that measurement used (0 = in the engine thread). */
  embedWorkers: number
  /** Backbone forward pass in the engine thread, images/s (end-to-end stage 1, evaluation). */
  forwardImagesPerSecond: number
  /** Head training on embeddings, samples/s, scaled from the measured head to the configured one. */
  headSamplesPerSecond: number
  /** Stage 2 measurement: null when stage 2 is off. */
  stage2: {
    /** The backend stage 2 uses (cpu when the active one is wasm). */
    backend: string
    /** One forward + backward step with the configured top layers unfrozen, images/s. */
    trainImagesPerSecond: number
    /** Forward pass on that backend, images/s (validation). */
    forwardImagesPerSecond: number
  } | null
  /** When the oldest part used was measured (ISO time). */
  measuredAt: string
  /** True when every part came from the cache (no engine process was started). */
  fromCache: boolean
}

/** The estimate shown before launch. */
export interface TrainingEstimate {
  /** Total seconds, all parts. */
  seconds: number
  perStage: StageEstimate[]
  /** The active backend (stage 1). */
  backend: string
  /**
   * False when stage 2 is enabled but would take longer than 12 hours on the backend it would use (on wasm,
   * the cpu backend): it still runs if launched, the UI warns first.
   */
  stage2Feasible: boolean
  /** Plain-language warnings (stage 2 on cpu, epochs are maxima, unknown architectures, …). */
  warnings: string[]
  images: { train: number; val: number; test: number }
  calibration: Calibration
}

export const EstimateRequest = z
  .object({
    datasetId: Id,
    /** A frozen version; absent = the current curation (what a launch would freeze). */
    versionId: Id.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({}))
  })
  .strict()

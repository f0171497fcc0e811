import { z } from 'zod'
import { FsPath, Id, Name } from '../common'
import type { InferenceModelInfo } from './model'
import type { GroupAggregate, ImagePrediction } from './predictions'

/** A classification job: its life cycle, what is listed and reopened, its live events and how one starts. */

/** Life cycle of a classification job. `interrupted` = the app or its engine died while it ran. */
export type InferenceJobStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted'

/** Default top-1 probability below which a prediction is flagged low-confidence. */
export const DEFAULT_LOW_CONFIDENCE = 0.6

/** One job as listed: what ran on what, when, and how far it got. */
export interface InferenceJobSummary {
  id: number
  name: string
  status: InferenceJobStatus
  model: InferenceModelInfo
  /** The patient folder, as the user gave it (symlink-resolved). Never modified. */
  folder: string
  /** Predictions whose top-1 probability is below this are flagged. */
  lowConfidenceThreshold: number
  /** Whether probabilities are averaged over test-time augmentations (each prediction then has an uncertainty). */
  tta: boolean
  /** The plane NIfTI volumes were sliced along: a volume prediction's `frame` is a slice of this plane. */
  volumePlane: 'axial' | 'coronal' | 'sagittal'
  /** Images plus DICOM frames found, once the folder was scanned. */
  total: number | null
  classified: number
  /** Files or frames that could not be classified (listed with the reason). */
  failed: number
  backend: string | null
  /** How the backbone ran, e.g. 'workers: wasm, wasm'. */
  engine: string | null
  error: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

/** A file (or one frame of it) that could not be classified; the job went on without it. */
export interface FailedInput {
  path: string
  /** The frame, when only one frame failed; null for the whole file. */
  frame: number | null
  /** AppError code: CORRUPT, UNSUPPORTED, IO, NOT_FOUND, ... */
  code: string
  /** Names the file and the reason. */
  message: string
}

/** A job with all its results, as reopened from the catalog. */
export interface InferenceJobDetail extends InferenceJobSummary {
  classNames: string[]
  /** Sorted by patient, series, instance number, path and frame. */
  predictions: ImagePrediction[]
  series: GroupAggregate[]
  studies: GroupAggregate[]
  patients: GroupAggregate[]
  failures: FailedInput[]
  /** Predictions per predicted class, every class present (0 when none). */
  counts: Record<string, number>
}

/** Live events of a running job. */
export type InferenceEvent =
  | { jobId: number; type: 'status'; status: InferenceJobStatus; error?: string }
  | {
      jobId: number
      type: 'progress'
      phase: string
      /** Images/frames classified or failed so far. */
      done: number
      total: number | null
      failed: number
      /** Measured over the job so far; null before the first batch. */
      imagesPerSecond: number | null
    }

/** A low-confidence threshold: a top-1 probability in [0, 1]. */
export const LowConfidenceThreshold = z.number().min(0).max(1)

export const StartInferenceRequest = z
  .object({
    /** A training run of this workspace whose model folder to use. */
    runId: Id.optional(),
    /** Or a model folder (holding neuropath.json). */
    modelDir: FsPath.optional(),
    /** The patient folder, scanned recursively; never modified. */
    folder: FsPath,
    name: Name.optional(),
    lowConfidenceThreshold: LowConfidenceThreshold.default(DEFAULT_LOW_CONFIDENCE),
    /** Store Grad-CAM maps for every class (cheap next to the backbone); false skips them. */
    saliency: z.boolean().default(true),
    /**
     * Test-time augmentation: classify each image also mirrored left–right and shifted by 5 % in four
     * directions, average the probabilities and store their spread as `uncertainty`. Six backbone passes
     * per image instead of one.
     */
    tta: z.boolean().default(false),
    /**
     * NIfTI volumes are classified slice by slice along this plane (default axial); each volume stays one series,
     * so its aggregate is one verdict per volume.
     */
    volumePlane: z.enum(['axial', 'coronal', 'sagittal']).optional(),
    /**
     * The user saw that the model is flagged "did not learn" or "overfit" and wants to use it anyway; without it
     * such a model is refused (CONFLICT, naming the verdict).
     */
    acceptFlaggedModel: z.boolean().default(false)
  })
  .strict()
  .refine((r) => (r.runId === undefined) !== (r.modelDir === undefined), {
    message: 'give either runId or modelDir, not both'
  })

import { z } from 'zod'
import { Id } from './common'
import { TrainingConfigSchema } from './training-config'

/**
 * A learning-rate sweep (fastai's lr_find): one training step per rate, rates growing exponentially.
 * Stage 1 trains the head (freshly initialised, as a run would) on backbone embeddings of the dataset's current
 * training split. Stage 2 trains the top layers of the backbone plus the head (as stage 2 of a run), starting
 * from the stage 1 head of a finished run, on that run's training images.
 */
export interface LrFindResult {
  datasetId: number
  /** Which stage was swept. */
  stage: 1 | 2
  /** Stage 2: the run whose stage 1 head the sweep started from (its configuration is used); null for stage 1. */
  runId: number | null
  /** Learning rates tried, ascending (as many as were run before the loss diverged). */
  lrs: number[]
  /** Training loss (categorical cross-entropy, nats) of the batch at each rate. */
  losses: number[]
  /** Exponentially smoothed, bias-corrected losses (β = 0.98, as fastai's lr_find): what the plot draws. */
  smoothed: number[]
  /**
   * The middle of the longest stretch over which the smoothed loss keeps falling (fastai's 'valley'); null
   * when it never fell (nothing to suggest).
   */
  suggested: number | null
  /**
   * The rate of the lowest smoothed loss ÷ 10 (the older rule of thumb; the first tenth of the sweep left
   * out, where the smoothing has seen few batches), for comparison.
   */
  minimumOver10: number
  /** Whether the sweep stopped early because the loss blew up (> 4 × its minimum). */
  diverged: boolean
  /** Training images the batches were drawn from (at most 2,048, evenly spaced), and the batch size. */
  images: number
  batchSize: number
  /** What trained: 'ort' (ONNX Runtime) or a tfjs backend. */
  backend: string
  backbone: string
  /** What the steps trained, e.g. 'head' or 'top 30 backbone layers + head'. */
  trained: string
  /** Wall time of the sweep including embeddings or image decoding, seconds. */
  seconds: number
}

/** Progress of a learning-rate sweep. */
export interface LrFindEvent {
  datasetId: number
  text: string
  /** Fraction of the current phase in [0, 1], or null. */
  progress: number | null
}

export const LrFindRequest = z
  .object({
    datasetId: Id,
    /** 1: the head on cached embeddings; 2: top layers + head, from `runId`'s stage 1 head. */
    stage: z.union([z.literal(1), z.literal(2)]).default(1),
    /**
     * Stage 2 only (required there): a run of this dataset whose stage 1 finished. Its configuration (backbone,
     * input size, head, batch size, class weights, layers unfrozen, seed) and training split are swept.
     */
    runId: Id.optional(),
    /** Stage 1: the configuration the sweep uses (backbone, input size, head, batch size, class weights, seed). */
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
    /** Rates tried between minLr and maxLr. */
    steps: z.number().int().min(10).max(400).default(100),
    minLr: z.number().positive().max(1).default(1e-6),
    maxLr: z.number().positive().max(100).default(1)
  })
  .strict()
  .refine((r) => r.minLr < r.maxLr, { message: 'minLr must be below maxLr' })
  .refine((r) => r.stage === 1 || r.runId !== undefined, {
    message: 'a stage 2 sweep needs runId: the run whose stage 1 head it starts from'
  })
  .refine((r) => r.stage === 2 || r.runId === undefined, {
    message: 'runId is for stage 2 sweeps; stage 1 sweeps a fresh head'
  })
export type LrFindRequest = z.input<typeof LrFindRequest>

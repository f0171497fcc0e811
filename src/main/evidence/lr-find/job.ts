import { z } from 'zod'
import { TrainingConfigSchema } from '../../../shared/contract'
import { defineEngineJob, type JobEvent, type JobParams, type JobResult } from '../../engine/job-kind'
import { JobItem } from '../../training/job/job'

/**
 * Engine job 'lr-find': an exponential learning-rate sweep (fastai's lr_find) of stage 1 (the head on cached
 * backbone embeddings of the training images) or of stage 2 (top backbone layers + head on the images, from a
 * run's stage 1 head). The handler is runLrFind (run-lr-find.ts); the host side is evidence/lr-find/lr-finds.ts.
 */
export const lrFindJob = defineEngineJob({
  kind: 'lr-find',
  params: z.object({
    kind: z.literal('lr-find'),
    stage: z.union([z.literal(1), z.literal(2)]),
    /**
     * Stage 2: the folder holding the run's stage 1 head weights (head.json + head.bin, written when its stage
     * 1 finished); null for stage 1, which starts from a freshly initialised head.
     */
    stage1Head: z.string().nullable(),
    /** The training configuration whose backbone, head, batch size and input size the sweep uses. */
    config: TrainingConfigSchema,
    classNames: z.array(z.string()).min(2),
    /** Training images of the dataset's current curation (split 'train'); labels index classNames. */
    items: z.array(JobItem).min(1),
    /** Workspace cache folder for embeddings (shared with training, so a later run reuses them). */
    cacheDir: z.string(),
    /** Rates tried, from minLr to maxLr, equally spaced in log(lr); one training step each. */
    steps: z.number().int().min(10).max(400),
    minLr: z.number().positive(),
    maxLr: z.number().positive()
  }),
  event: z.discriminatedUnion('type', [
    /** progress: fraction in [0, 1] of the phase, or null. */
    z.object({ type: z.literal('phase'), text: z.string(), progress: z.number().nullable() }),
    /** One finished step: its learning rate and training loss (nats). */
    z.object({ type: z.literal('step'), index: z.number().int(), lr: z.number(), loss: z.number() })
  ]),
  result: z.object({
    lrs: z.array(z.number()),
    /** Training loss (nats) of the batch at each rate. */
    losses: z.array(z.number()),
    smoothed: z.array(z.number()),
    suggested: z.number().nullable(),
    minimumOver10: z.number(),
    diverged: z.boolean(),
    /** Training images whose embeddings the sweep drew its batches from. */
    images: z.number().int(),
    batchSize: z.number().int(),
    /** 'ort' (ONNX Runtime) or the tfjs backend that trained the head. */
    backend: z.string(),
    /** The backbone, e.g. 'MobileNetV2 …'. */
    backbone: z.string(),
    /** What the steps trained: 'head', or 'top N backbone layers + head'. */
    trained: z.string(),
    seconds: z.number().nonnegative()
  })
})

export type LrFindJob = JobParams<typeof lrFindJob>
export type LrFindEvent = JobEvent<typeof lrFindJob>
export type LrFindJobResult = JobResult<typeof lrFindJob>

import { z } from 'zod'
import type { FailedInput } from '../../shared/contract'
import { defineEngineJob, float32, uint8, type JobEvent, type JobParams, type JobResult } from '../engine/job-kind'
import type { TtaAugmentation } from '../evidence/tta'
import type { InputMeta } from './input/input-meta'

/** One classified image or frame as the engine reports it (the host stores it). */
export interface ClassifiedRow extends InputMeta {
  /** Softmax output, one value per class in card.classNames order. */
  probabilities: Float32Array
  /**
   * Saliency map per class (Grad-CAM, or LayerCAM against the training mean when the card has a baseline),
   * quantised: K × camHeight × camWidth bytes (class-major, row-major); null without saliency.
   */
  cam: Uint8Array | null
  /** Maximum of each class's map before quantisation (K values); the byte 255 stands for it. */
  camScale: Float32Array | null
  camWidth: number
  camHeight: number
  /**
   * With test-time augmentation: the standard deviation, across augmentations, of the chosen class's
   * probability (probability units, 0 = every augmentation agrees); null without TTA.
   */
  uncertainty: number | null
}

// Rows are checked on the fields the host stores by position; InputMeta's header fields pass through as sent.
const ClassifiedRowSchema = z
  .looseObject({
    path: z.string(),
    frame: z.number().int().nonnegative(),
    probabilities: float32,
    cam: uint8.nullable(),
    camScale: float32.nullable(),
    camWidth: z.number().int().nonnegative(),
    camHeight: z.number().int().nonnegative(),
    uncertainty: z.number().nonnegative().nullable()
  })
  .transform((row) => row as unknown as ClassifiedRow)

const TtaAugmentationSchema = z.object({
  name: z.string(),
  flipHorizontal: z.boolean(),
  flipVertical: z.boolean(),
  /** Whole-pixel shifts at the model's input size. */
  dx: z.number().int(),
  dy: z.number().int()
}) satisfies z.ZodType<TtaAugmentation>

const FailedInputSchema = z.object({
  path: z.string(),
  frame: z.number().int().nullable(),
  code: z.string(),
  message: z.string()
}) satisfies z.ZodType<FailedInput>

/**
 * Engine job 'classify': everything an engine process needs to classify one folder (the engine never opens
 * the catalog), its progress events (the host adds jobId and stores them) and its result. The handler is
 * runClassify (run/classify-folder.ts); the host side is services/inference-service.ts.
 */
export const classifyJob = defineEngineJob({
  kind: 'classify',
  params: z.object({
    kind: z.literal('classify'),
    jobId: z.number().int(),
    /** Model folder holding model.json, weights.bin and neuropath.json. */
    modelDir: z.string(),
    /** The patient folder, scanned recursively; only read. */
    folder: z.string(),
    /** Compute Grad-CAM maps for every class of every image. */
    saliency: z.boolean(),
    /** Images per backbone call, 1–64; default the backbone runtime's preferred batch (16 on ONNX Runtime). */
    batchSize: z.number().int().positive().max(64).optional(),
    /**
     * Test-time augmentation: 'standard' = identity, left–right mirror and 5 % shifts in four directions
     * (evidence/tta.ts standardTta at the model's input size), or an explicit list. Probabilities are averaged;
     * Grad-CAM is computed on the unaugmented image. Absent = plain inference.
     */
    tta: z.union([z.literal('standard'), z.array(TtaAugmentationSchema).min(1).max(16)]).optional(),
    /**
     * NIfTI volumes are classified slice by slice along this plane (default axial); each volume is one series,
     * so the per-series aggregation gives one verdict per volume whatever the plane.
     */
    volumePlane: z.enum(['axial', 'coronal', 'sagittal']).optional()
  }),
  event: z.discriminatedUnion('type', [
    z.object({ type: z.literal('phase'), text: z.string() }),
    z.object({ type: z.literal('engine'), backend: z.string(), engine: z.string() }),
    /** After the scan: how many images/frames will be classified, and the files that are not readable images. */
    z.object({
      type: z.literal('inputs'),
      total: z.number().int().nonnegative(),
      failures: z.array(FailedInputSchema)
    }),
    /** One finished batch: its rows and the inputs of the batch that failed to load. */
    z.object({ type: z.literal('results'), rows: z.array(ClassifiedRowSchema), failures: z.array(FailedInputSchema) })
  ]),
  result: z.object({
    status: z.enum(['completed', 'cancelled']),
    classified: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    backend: z.string(),
    engine: z.string(),
    /** How the saliency maps were made (method and backbone layer); null when the job made none. */
    saliencyMethod: z
      .object({ kind: z.enum(['gradcam', 'layercam-baseline']), layer: z.string() })
      .nullable()
      .optional(),
    /** Wall time from start to end, seconds. */
    seconds: z.number().nonnegative()
  })
})

/** Everything an engine process needs to classify one folder. */
export type ClassifyJob = JobParams<typeof classifyJob>
/** Events the engine emits while classifying. */
export type EngineClassifyEvent = JobEvent<typeof classifyJob>
/** What a finished classify job returns. */
export type ClassifyJobResult = JobResult<typeof classifyJob>

import { z } from 'zod'
import type { BackboneCheck } from '../../../../shared/contract'
import { contractObject, defineEngineJob, noEvents, type JobParams, type JobResult } from '../../../engine/job-kind'

/** Which backbone to load: the config's choice; `path` for keras-h5 / tfjs-dir. */
const CalibrateBackbone = z.object({
  kind: z.enum(['nsfwjs', 'keras-h5', 'tfjs-dir', 'random']),
  path: z.string().optional()
})
export type CalibrateBackbone = z.output<typeof CalibrateBackbone>

/** The speeds to measure; each part is skipped when absent (the host asks only for what its cache lacks). */
const MeasureRequest = z.object({
  /** Square model input, pixels. */
  inputSize: z.number().int().positive(),
  /** Images to embed for the embedding speed (decode and preprocessing included); synthetic inputs when empty. */
  samplePaths: z.array(z.string()),
  /** Backbone embedding (worker pool) and in-thread forward speed. */
  embed: z.boolean(),
  /** Head training speed with these widths, classes and batch size. */
  head: z
    .object({ fc1Units: z.number(), fc2Units: z.number(), numClasses: z.number(), batchSize: z.number() })
    .nullable(),
  /** Stage-2 step speed with this many top layers unfrozen. */
  stage2: z.object({ unfreezeTopLayers: z.number() }).nullable()
})
export type MeasureRequest = z.output<typeof MeasureRequest>

/** Measured speeds, per part asked for. */
const MeasureResult = z.looseObject({
  /** The active backend of the engine process. */
  backend: z.string(),
  /** Also the time a run spends loading the backbone and (embeddings mode) starting the embedding workers. */
  embed: z
    .looseObject({
      imagesPerSecond: z.number(),
      workers: z.number(),
      forwardImagesPerSecond: z.number(),
      loadSeconds: z.number(),
      workersStartSeconds: z.number()
    })
    .nullable(),
  /** Head training samples/s at `flopsPerSample` multiply-adds per sample (dense layers) on `featureDim` inputs. */
  head: z
    .looseObject({
      samplesPerSecond: z.number(),
      /** The head trainer measured: 'ort' (ONNX Runtime, as stage 1 trains where it loads) or the tfjs backend. */
      backend: z.string().optional(),
      flopsPerSample: z.number(),
      batchSize: z.number(),
      featureDim: z.number()
    })
    .nullable(),
  stage2: z
    .looseObject({ backend: z.string(), trainImagesPerSecond: z.number(), forwardImagesPerSecond: z.number() })
    .nullable()
})
export type MeasureResult = z.output<typeof MeasureResult>

/**
 * Engine job 'calibrate': load a backbone and describe it (`check`), and/or measure training speeds on this
 * machine (`measure`). Speeds use a random-weight MobileNetV2 of the same architecture unless the backbone is
 * a tfjs folder (whose architecture may differ): weights do not change the arithmetic. No progress events.
 * The handler is calibrate-handler.ts; the host side is estimator.ts.
 */
export const calibrateJob = defineEngineJob({
  kind: 'calibrate',
  params: z.object({
    kind: z.literal('calibrate'),
    backbone: CalibrateBackbone,
    check: z.boolean(),
    measure: MeasureRequest.nullable()
  }),
  event: noEvents,
  result: z.object({
    check: contractObject<BackboneCheck>('BackboneCheck').nullable(),
    measure: MeasureResult.nullable()
  })
})

export type CalibrateJob = JobParams<typeof calibrateJob>
/** What a calibrate job returns. */
export type CalibrateResult = JobResult<typeof calibrateJob>

/** Multiply-adds per sample of the dense part of a head (featureDim → fc1 → fc2 → classes). */
export function headFlops(featureDim: number, fc1: number, fc2: number, classes: number): number {
  return featureDim * fc1 + fc1 * fc2 + fc2 * classes
}

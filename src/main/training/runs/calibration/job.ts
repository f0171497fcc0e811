import type { BackboneCheck } from '../../../../shared/contract'

/** Which backbone to load: the config's choice; `path` for keras-h5 / tfjs-dir. */
export interface CalibrateBackbone {
  kind: 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random'
  path?: string
}

/** The speeds to measure; each part is skipped when absent (the host asks only for what its cache lacks). */
export interface MeasureRequest {
  /** Square model input, pixels. */
  inputSize: number
  /** Images to embed for the embedding speed (decode and preprocessing included); synthetic inputs when empty. */
  samplePaths: string[]
  /** Backbone embedding (worker pool) and in-thread forward speed. */
  embed: boolean
  /** Head training speed with these widths, classes and batch size. */
  head: { fc1Units: number; fc2Units: number; numClasses: number; batchSize: number } | null
  /** Stage-2 step speed with this many top layers unfrozen. */
  stage2: { unfreezeTopLayers: number } | null
}

/**
 * A job for an engine process: load a backbone and describe it (`check`), and/or measure training speeds
 * on this machine (`measure`). Speeds use a random-weight MobileNetV2 of the same architecture unless the
 * backbone is a tfjs folder (whose architecture may differ): weights do not change the arithmetic.
 */
export interface CalibrateJob {
  kind: 'calibrate'
  backbone: CalibrateBackbone
  check: boolean
  measure: MeasureRequest | null
}

/** Measured speeds, per part asked for. */
export interface MeasureResult {
  /** The active backend of the engine process. */
  backend: string
  /** Also the time a run spends loading the backbone and (embeddings mode) starting the embedding workers. */
  embed: {
    imagesPerSecond: number
    workers: number
    forwardImagesPerSecond: number
    loadSeconds: number
    workersStartSeconds: number
  } | null
  /** Head training samples/s at `flopsPerSample` multiply-adds per sample (dense layers) on `featureDim` inputs. */
  head: { samplesPerSecond: number; flopsPerSample: number; batchSize: number; featureDim: number } | null
  stage2: { backend: string; trainImagesPerSecond: number; forwardImagesPerSecond: number } | null
}

/** What a calibrate job returns. */
export interface CalibrateResult {
  check: BackboneCheck | null
  measure: MeasureResult | null
}

/** Multiply-adds per sample of the dense part of a head (featureDim → fc1 → fc2 → classes). */
export function headFlops(featureDim: number, fc1: number, fc2: number, classes: number): number {
  return featureDim * fc1 + fc1 * fc2 + fc2 * classes
}

import type { FailedInput } from '../../shared/contract'
import type { InputMeta } from './input/input-meta'

/**
 * Everything an engine process needs to classify one folder; the engine never opens the catalog. Sent by
 * the host over the engine channel (structured clone).
 */
export interface ClassifyJob {
  kind: 'classify'
  jobId: number
  /** Model folder holding model.json, weights.bin and neuropath.json. */
  modelDir: string
  /** The patient folder, scanned recursively; only read. */
  folder: string
  /** Compute Grad-CAM maps for every class of every image. */
  saliency: boolean
  /** Images per backbone call; default 8. */
  batchSize?: number
  /** Backbone worker threads; default one per core on wasm/cpu, none on the native backends. */
  workers?: number
}

/** One classified image or frame as the engine reports it (the host stores it). */
export interface ClassifiedRow extends InputMeta {
  /** Softmax output, one value per class in card.classNames order. */
  probabilities: Float32Array
  /** Grad-CAM per class, quantised: K × camHeight × camWidth bytes (class-major, row-major); null without saliency. */
  cam: Uint8Array | null
  /** Maximum of each class's map before quantisation (K values); the byte 255 stands for it. */
  camScale: Float32Array | null
  camWidth: number
  camHeight: number
}

/** Events the engine emits while classifying (the host adds jobId and stores them). */
export type EngineClassifyEvent =
  | { type: 'phase'; text: string }
  | { type: 'engine'; backend: string; engine: string }
  /** After the scan: how many images/frames will be classified, and the files that are not readable images. */
  | { type: 'inputs'; total: number; failures: FailedInput[] }
  /** One finished batch: its rows and the inputs of the batch that failed to load. */
  | { type: 'results'; rows: ClassifiedRow[]; failures: FailedInput[] }

/** What a finished classify job returns. */
export interface ClassifyJobResult {
  status: 'completed' | 'cancelled'
  classified: number
  failed: number
  backend: string
  engine: string
  /** Wall time from start to end, seconds. */
  seconds: number
}

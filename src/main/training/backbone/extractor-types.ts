import type { OnnxEncoderSource } from '../../backbone-runtime/onnx-encoder/encoder-runtime'
import type { VolumePlane } from '../../imaging/nifti'
import type { PreprocessSpec } from '../preprocess/spec'
import type { EmbeddingCache } from './embedding-cache'
import type { OnnxEncoderInfo } from './encoder-start'
import type { BackboneSource, BackboneSpec, LoadedBackbone } from './types'

/** The shapes an EmbeddingExtractor takes and gives (re-exported by embedding-extractor.ts). */

/** One image to embed: a file and, for multi-frame DICOM or a volume, its 0-based frame or slice. */
export interface EmbedItem {
  path: string
  frame?: number
  /** NIfTI volumes: the plane `frame` counts along (default axial). */
  plane?: VolumePlane | null
}

/** Options of an EmbeddingExtractor. */
export interface EmbeddingExtractorOptions {
  /**
   * What to load (the runtime then gets its compiled plan), an already loaded backbone, which stays the
   * caller's, or an ONNX encoder file with its declaration (preprocessing then must scale to [0,1]).
   */
  backbone: BackboneSpec | LoadedBackbone | OnnxEncoderSource
  /** Preprocessing chain; default: the backbone's input size and scaling with bilinear resize, DICOM default window. */
  preprocess?: PreprocessSpec
  /** Images per backbone call, 1–64. Default: the runtime's preferred batch (16 on ONNX Runtime, 8 on tfjs). */
  batchSize?: number
  /** Where to read and store embeddings; absent = always compute. */
  cache?: EmbeddingCache
}

/** Progress of one extract call, in images. */
export interface ExtractProgress {
  done: number
  total: number
  /** How many of `done` came from the cache. */
  fromCache: number
}

/** Options of one extract call. */
export interface ExtractOptions {
  onProgress?: (p: ExtractProgress) => void
  /** Aborting rejects the call with CANCELLED; a batch already inside the backbone finishes and is dropped. */
  signal?: AbortSignal
  /** Augmentation variant, part of the cache key; 0 (default) = none. */
  variant?: number
  /** Changes a preprocessed input (HWC float32, inputSize² × 3) for `variant`; may edit in place or return a new array. */
  augment?: (input: Float32Array, item: EmbedItem, variant: number) => Float32Array | void
}

/** Embeddings of a list of items: row i (length `dim`) belongs to items[i]. */
export interface ExtractResult {
  dim: number
  count: number
  /** count × dim float32, row-major. */
  data: Float32Array
  fromCache: number
}

/** What an extractor runs, once started. */
export interface ExtractorInfo {
  source: BackboneSource | OnnxEncoderInfo
  preprocess: PreprocessSpec
  /** Embedding width (1280 for MobileNetV2 α=1). */
  featureDim: number
  /** planSha256 of the compiled backbone, or for an ONNX encoder its file's SHA-256 with its declaration: the backbone part of cache keys. */
  backboneId: string
  /** The backbone runtime, e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)' or 'tfjs wasm (fused plan, in-process)'. */
  engine: string
  /** Ladder rung that computes the embeddings: 'ort' or a tfjs rung. */
  backend: string
}

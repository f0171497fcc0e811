import { AppError } from '../../../shared/errors'
import { openBackboneRuntime, type BackboneRuntime } from '../../backbone-runtime/backbone-runtime'
import { encoderStart, type OnnxEncoderInfo } from './encoder-start'
import type { OnnxEncoderSource } from '../../backbone-runtime/onnx-encoder/encoder-runtime'
import { runBatches } from '../../backbone-runtime/run-batches'
import { loadModelInput } from '../preprocess/load-model-input'
import { assertPreprocessSpec, makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import type { VolumePlane } from '../../imaging/nifti'
import { embeddingKey, fileSha256, type EmbeddingCache } from './embedding-cache'
import { compileInferencePlan, planSha256, type InferencePlan } from './inference-plan'
import { loadBackbone } from './load-backbone'
import type { BackboneSource, BackboneSpec, LoadedBackbone } from './types'

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

function isLoaded(b: EmbeddingExtractorOptions['backbone']): b is LoadedBackbone {
  return 'model' in b
}

const WHAT = 'embedding extraction'

/**
 * Computes global-average-pooled backbone embeddings for lists of images, in batches, through the one
 * backbone runtime (ONNX Runtime where it loads); the next batches are decoded and preprocessed while one
 * runs. Results can be read from and written to an EmbeddingCache.
 */
export class EmbeddingExtractor {
  private started: Promise<void> | null = null
  private runtime: BackboneRuntime | null = null
  private details: ExtractorInfo | null = null

  constructor(private readonly opts: EmbeddingExtractorOptions) {
    const b = opts.batchSize ?? 8
    if (!Number.isInteger(b) || b < 1 || b > 64)
      throw new AppError('INVALID_ARGUMENT', `embedding extractor: batchSize ${b} is not an integer in 1–64`)
  }

  /** Loads and compiles the backbone and opens the backbone runtime; idempotent. extract() calls it. */
  start(): Promise<ExtractorInfo> {
    this.started ??= this.doStart().catch((err: unknown) => {
      this.started = null
      throw err
    })
    return this.started.then(() => this.details as ExtractorInfo)
  }

  private async doStart(): Promise<void> {
    if ('kind' in this.opts.backbone && this.opts.backbone.kind === 'onnx-encoder') {
      const started = await encoderStart(this.opts.backbone, this.opts.preprocess)
      this.runtime = started.runtime
      this.details = started.info
      return
    }
    const given = isLoaded(this.opts.backbone)
    const loaded = given
      ? (this.opts.backbone as LoadedBackbone)
      : await loadBackbone(this.opts.backbone as BackboneSpec)
    let plan: InferencePlan
    try {
      plan = compileInferencePlan(loaded.model)
    } finally {
      if (!given) loaded.model.dispose()
    }
    const preprocess = assertPreprocessSpec(
      this.opts.preprocess ?? makePreprocessSpec(plan.inputSize, loaded.source.inputScaling)
    )
    if (preprocess.inputSize !== plan.inputSize) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `embedding extractor: preprocessing makes ${preprocess.inputSize} px inputs but the backbone takes ${plan.inputSize} px`
      )
    }
    this.runtime = await openBackboneRuntime(plan, { outputs: ['embedding'] })
    this.details = {
      source: loaded.source,
      preprocess,
      featureDim: plan.featureDim,
      backboneId: planSha256(plan),
      engine: this.runtime.engine,
      backend: this.runtime.backend
    }
  }

  private get batchSize(): number {
    return this.opts.batchSize ?? this.runtime?.preferredBatch ?? 8
  }

  /** The running configuration, or null before start(). */
  get info(): ExtractorInfo | null {
    return this.details
  }

  /**
   * Embeds `items` in order. Cached rows are read first; the rest are computed in batches and stored.
   * Rejects with CANCELLED on abort, or with the first decode/engine error (naming the file).
   */
  async extract(items: readonly EmbedItem[], o: ExtractOptions = {}): Promise<ExtractResult> {
    const info = await this.start()
    const dim = info.featureDim
    const variant = o.variant ?? 0
    const data = new Float32Array(items.length * dim)
    if (o.signal?.aborted) throw new AppError('CANCELLED', `${WHAT} was cancelled`)

    const cache = this.opts.cache
    let keys: string[] | null = null
    let todo = items.map((_, i) => i)
    let fromCache = 0
    if (cache) {
      const hashes = new Map<string, Promise<string>>()
      const hashOf = (p: string): Promise<string> => {
        if (!hashes.has(p)) hashes.set(p, fileSha256(p))
        return hashes.get(p) as Promise<string>
      }
      keys = await Promise.all(
        items.map(async (it) =>
          embeddingKey({
            contentSha256: await hashOf(it.path),
            frame: it.frame ?? 0,
            plane: it.plane ?? undefined,
            backboneId: info.backboneId,
            preprocess: info.preprocess,
            variant
          })
        )
      )
      const hits = await cache.getMany(keys, dim)
      todo = []
      hits.forEach((v, i) => {
        if (v) data.set(v, i * dim)
        else todo.push(i)
      })
      fromCache = items.length - todo.length
    }
    let done = fromCache
    o.onProgress?.({ done, total: items.length, fromCache })

    const batchSize = this.batchSize
    const batches: number[][] = []
    for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize))
    const size = info.preprocess.inputSize
    const perImage = size * size * 3

    const prepare = async (b: number): Promise<Float32Array> => {
      const rows = batches[b]
      const out = new Float32Array(rows.length * perImage)
      await Promise.all(
        rows.map(async (row, j) => {
          const item = items[row]
          let x = await loadModelInput(item.path, info.preprocess, item.frame ?? 0, item.plane)
          if (o.augment) x = o.augment(x, item, variant) ?? x
          if (x.length !== perImage) {
            throw new AppError(
              'INVALID_ARGUMENT',
              `augment returned ${x.length} values for ${item.path}, expected ${perImage}`
            )
          }
          out.set(x, j * perImage)
        })
      )
      return out
    }
    await this.schedule(
      batches.map((rows) => rows.length),
      prepare,
      async (b, embeddings) => {
        const rows = batches[b]
        rows.forEach((row, j) => data.set(embeddings.subarray(j * dim, (j + 1) * dim), row * dim))
        if (cache && keys) {
          const k = keys
          await cache.putMany(rows.map((row, j) => ({ key: k[row], vector: embeddings.slice(j * dim, (j + 1) * dim) })))
        }
        done += rows.length
        o.onProgress?.({ done, total: items.length, fromCache })
      },
      o.signal
    )
    return { dim, count: items.length, data, fromCache }
  }

  /**
   * Embeds inputs that are already preprocessed: `inputs` holds `count` images of inputSize² × 3 HWC
   * float32 back to back (e.g. augmented in memory). Returns count × featureDim float32, row-major.
   */
  async embedArrays(
    inputs: Float32Array,
    count: number,
    o: Pick<ExtractOptions, 'signal' | 'onProgress'> = {}
  ): Promise<Float32Array> {
    const info = await this.start()
    const perImage = info.preprocess.inputSize ** 2 * 3
    if (!Number.isInteger(count) || count < 0 || inputs.length !== count * perImage) {
      throw new AppError('INVALID_ARGUMENT', `embedArrays: ${inputs.length} values is not ${count} × ${perImage}`)
    }
    const dim = info.featureDim
    const batchSize = this.batchSize
    const sizes: number[] = []
    for (let i = 0; i < count; i += batchSize) sizes.push(Math.min(batchSize, count - i))
    const out = new Float32Array(count * dim)
    let done = 0
    await this.schedule(
      sizes,
      async (b) => inputs.subarray(b * batchSize * perImage, (b * batchSize + sizes[b]) * perImage),
      (b, embeddings) => {
        out.set(embeddings, b * batchSize * dim)
        done += sizes[b]
        o.onProgress?.({ done, total: count, fromCache: 0 })
      },
      o.signal
    )
    return out
  }

  /** Runs the batches through the runtime, preparing the next ones ahead; results arrive in order. */
  private async schedule(
    sizes: readonly number[],
    prepare: (b: number) => Promise<Float32Array>,
    onResult: (b: number, embeddings: Float32Array) => Promise<void> | void,
    signal?: AbortSignal
  ): Promise<void> {
    const runtime = this.runtime as BackboneRuntime
    await runBatches(
      sizes.length,
      [runtime],
      prepare,
      async (lane, b, input) => {
        const out = await lane.run(input, sizes[b])
        await onResult(b, out.embedding as Float32Array)
      },
      signal,
      WHAT
    )
  }

  /** Frees the backbone runtime. The extractor can be started again afterwards. */
  async close(): Promise<void> {
    const runtime = this.runtime
    this.runtime = null
    this.started = null
    this.details = null
    if (runtime) await runtime.close()
  }
}

import { AppError } from '../../../shared/errors'
import type { BackboneRuntime } from '../../backbone-runtime/backbone-runtime'
import { runBatches } from '../../backbone-runtime/run-batches'
import { loadModelInput, loadModelPixels } from '../preprocess/load-model-input'
import { readCachedEmbeddings } from './cached-embeddings'
import { encoderStart } from './encoder-start'
import type {
  EmbedItem,
  EmbeddingExtractorOptions,
  ExtractOptions,
  ExtractResult,
  ExtractorInfo
} from './extractor-types'
import { planStart } from './plan-start'
import type { BackboneSpec, LoadedBackbone } from './types'

export type {
  EmbedItem,
  EmbeddingExtractorOptions,
  ExtractOptions,
  ExtractProgress,
  ExtractResult,
  ExtractorInfo
} from './extractor-types'

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
    const b = this.opts.backbone
    const started =
      'kind' in b && b.kind === 'onnx-encoder'
        ? await encoderStart(b, this.opts.preprocess)
        : await planStart(b as BackboneSpec | LoadedBackbone, this.opts.preprocess)
    this.runtime = started.runtime
    this.details = started.info
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
    if (cache) ({ keys, todo, fromCache } = await readCachedEmbeddings(cache, items, info, variant, data))
    let done = fromCache
    o.onProgress?.({ done, total: items.length, fromCache })

    const batchSize = this.batchSize
    const batches: number[][] = []
    for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize))
    const size = info.preprocess.inputSize
    const perImage = size * size * 3

    // Unaugmented images go in as 8-bit pixels where the runtime scales them in its graph (ONNX Runtime).
    const asPixels = !o.augment && this.runtime?.runPixels !== undefined
    const prepare = async (b: number): Promise<Float32Array | Uint8Array> => {
      const rows = batches[b]
      if (asPixels) {
        const out = new Uint8Array(rows.length * perImage)
        await Promise.all(
          rows.map((row, j) => {
            const item = items[row]
            return loadModelPixels(item.path, info.preprocess, item.frame ?? 0, item.plane, {
              out,
              offset: j * perImage
            })
          })
        )
        return out
      }
      const out = new Float32Array(rows.length * perImage)
      await Promise.all(
        rows.map(async (row, j) => {
          const item = items[row]
          const into = { out, offset: j * perImage }
          if (!o.augment) {
            await loadModelInput(item.path, info.preprocess, item.frame ?? 0, item.plane, into)
            return
          }
          let x = await loadModelInput(item.path, info.preprocess, item.frame ?? 0, item.plane)
          x = o.augment(x, item, variant) ?? x
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
    prepare: (b: number) => Promise<Float32Array | Uint8Array>,
    onResult: (b: number, embeddings: Float32Array) => Promise<void> | void,
    signal?: AbortSignal
  ): Promise<void> {
    const runtime = this.runtime as BackboneRuntime
    await runBatches(
      sizes.length,
      [runtime],
      prepare,
      async (lane, b, input) => {
        const out =
          input instanceof Uint8Array
            ? await (lane.runPixels as NonNullable<BackboneRuntime['runPixels']>)(input, sizes[b])
            : await lane.run(input, sizes[b])
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

import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import { loadModelInput } from '../preprocess/load-model-input'
import { assertPreprocessSpec, makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import { EmbedPool, type EmbedWorker } from './embed-pool'
import { embeddingKey, fileSha256, type EmbeddingCache } from './embedding-cache'
import { compileInferencePlan, planSha256, type InferencePlan } from './inference-plan'
import { loadBackbone } from './load-backbone'
import { disposePlanTensors, runPlan, uploadPlan, type PlanTensors } from './run-plan'
import type { BackboneSource, BackboneSpec, LoadedBackbone } from './types'

/** One image to embed: a file and, for multi-frame DICOM, its 0-based frame. */
export interface EmbedItem {
  path: string
  frame?: number
}

/** Options of an EmbeddingExtractor. */
export interface EmbeddingExtractorOptions {
  /** What to load (workers then get its compiled plan), or an already loaded backbone, which stays the caller's. */
  backbone: BackboneSpec | LoadedBackbone
  /** Preprocessing chain; default: the backbone's input size and scaling with bilinear resize, DICOM default window. */
  preprocess?: PreprocessSpec
  /**
   * Worker threads, each with its own tfjs engine. Default: one per core on the wasm/cpu backends, 0 on the
   * native (multi-threaded) ones. 0 runs the model in this thread.
   */
  workers?: number
  /** Images per model call. Default 8 (WASM throughput stops growing around there). */
  batchSize?: number
  /** Where to read and store embeddings; absent = always compute. */
  cache?: EmbeddingCache
  /** Run the worker from this file instead of the copy of embed-worker.cjs inlined at build time. */
  workerScript?: string
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
  /** Aborting rejects the call with CANCELLED; batches already inside a worker finish and are dropped. */
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
  source: BackboneSource
  preprocess: PreprocessSpec
  /** Embedding width (1280 for MobileNetV2 α=1). */
  featureDim: number
  /** planSha256 of the compiled backbone: the backbone part of cache keys. */
  backboneId: string
  /** 'workers: wasm, wasm' or 'in-process: tensorflow'. */
  engine: string
}

function isLoaded(b: BackboneSpec | LoadedBackbone): b is LoadedBackbone {
  return 'model' in b
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'embedding extraction was cancelled')
}

/**
 * Computes global-average-pooled backbone features for lists of images, in batches. With workers, each
 * worker thread runs the backbone's fused inference plan on its own WASM engine while this thread decodes
 * and preprocesses the next batches. Results can be read from and written to an EmbeddingCache.
 */
export class EmbeddingExtractor {
  private started: Promise<void> | null = null
  private pool: EmbedPool | null = null
  private local: PlanTensors | null = null
  private plan: InferencePlan | null = null
  private details: ExtractorInfo | null = null

  constructor(private readonly opts: EmbeddingExtractorOptions) {
    const b = opts.batchSize ?? 8
    if (!Number.isInteger(b) || b < 1)
      throw new AppError('INVALID_ARGUMENT', `embedding extractor: batchSize ${b} is not a positive integer`)
    const w = opts.workers
    if (w !== undefined && (!Number.isInteger(w) || w < 0)) {
      throw new AppError('INVALID_ARGUMENT', `embedding extractor: workers ${w} is not an integer ≥ 0`)
    }
  }

  /** Loads and compiles the backbone and starts the workers; idempotent. extract() calls it. */
  start(): Promise<ExtractorInfo> {
    this.started ??= this.doStart().catch((err: unknown) => {
      this.started = null
      throw err
    })
    return this.started.then(() => this.details as ExtractorInfo)
  }

  private async doStart(): Promise<void> {
    const backend = await selectBackend()
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
    const native = backend.active === 'node' || backend.active === 'node-gpu'
    const workers = this.opts.workers ?? (native ? 0 : os.cpus().length)
    let engine: string
    if (workers > 0) {
      this.pool = await EmbedPool.start(
        workers,
        plan,
        backend.active === 'cpu' ? 'cpu' : 'wasm',
        this.opts.workerScript
      )
      engine = `workers: ${this.pool.backends.join(', ')}`
    } else {
      this.local = uploadPlan(plan)
      engine = `in-process: ${tf.getBackend()}`
    }
    this.plan = plan
    this.details = {
      source: loaded.source,
      preprocess,
      featureDim: plan.featureDim,
      backboneId: planSha256(plan),
      engine
    }
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
    if (o.signal?.aborted) throw cancelled()

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

    const batchSize = this.opts.batchSize ?? 8
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
          let x = await loadModelInput(item.path, info.preprocess, item.frame ?? 0)
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
      async (b, features) => {
        const rows = batches[b]
        rows.forEach((row, j) => data.set(features.subarray(j * dim, (j + 1) * dim), row * dim))
        if (cache && keys) {
          const k = keys
          await cache.putMany(rows.map((row, j) => ({ key: k[row], vector: features.slice(j * dim, (j + 1) * dim) })))
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
    const batchSize = this.opts.batchSize ?? 8
    const sizes: number[] = []
    for (let i = 0; i < count; i += batchSize) sizes.push(Math.min(batchSize, count - i))
    const out = new Float32Array(count * dim)
    let done = 0
    await this.schedule(
      sizes,
      // A copy, because the batch buffer is transferred to the worker.
      async (b) => inputs.slice(b * batchSize * perImage, (b * batchSize + sizes[b]) * perImage),
      (b, features) => {
        out.set(features, b * batchSize * dim)
        done += sizes[b]
        o.onProgress?.({ done, total: count, fromCache: 0 })
      },
      o.signal
    )
    return out
  }

  /**
   * Runs batches over the lanes (workers, or this thread): each lane takes the next batch, while the
   * next few batches are being prepared; results arrive through `onResult` in completion order.
   */
  private async schedule(
    sizes: readonly number[],
    prepare: (b: number) => Promise<Float32Array>,
    onResult: (b: number, features: Float32Array) => Promise<void> | void,
    signal?: AbortSignal
  ): Promise<void> {
    if (signal?.aborted) throw cancelled()
    const lanes: Array<EmbedWorker | null> = this.pool ? this.pool.workers : [null]
    const lookahead = lanes.length + 1
    const prepared = new Map<number, Promise<Float32Array>>()
    const ensure = (b: number): void => {
      if (b >= sizes.length || prepared.has(b)) return
      const p = prepare(b)
      p.catch(() => undefined) // awaited later; this only keeps an early failure from being unhandled
      prepared.set(b, p)
    }
    let next = 0
    let stop = false
    const runLane = async (lane: EmbedWorker | null): Promise<void> => {
      while (!stop) {
        if (signal?.aborted) throw cancelled()
        const b = next++
        if (b >= sizes.length) return
        for (let k = b; k <= b + lookahead; k++) ensure(k)
        const input = await (prepared.get(b) as Promise<Float32Array>)
        prepared.delete(b)
        const features = lane ? await lane.run(input, sizes[b]) : this.runLocal(input, sizes[b])
        if (stop) return
        await onResult(b, features)
      }
    }
    const all = Promise.all(lanes.map(runLane))
    let onAbort = (): void => undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelled())
      signal?.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await Promise.race([all, aborted])
    } catch (err) {
      stop = true
      all.catch(() => undefined)
      throw err
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  private runLocal(input: Float32Array, n: number): Float32Array {
    const local = this.local as PlanTensors
    const s = (this.plan as InferencePlan).inputSize
    const x = tf.tensor4d(input, [n, s, s, 3])
    const y = runPlan(local, x)
    const out = y.dataSync() as Float32Array
    tf.dispose([x, y])
    return out
  }

  /** Stops the workers and frees the in-process tensors. The extractor can be started again afterwards. */
  async close(): Promise<void> {
    const pool = this.pool
    this.pool = null
    if (this.local) disposePlanTensors(this.local)
    this.local = null
    this.started = null
    this.details = null
    if (pool) await pool.close()
  }
}

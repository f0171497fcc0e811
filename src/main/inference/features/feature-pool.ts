import { Worker } from 'node:worker_threads'
import { AppError } from '../../../shared/errors'
import type { InferencePlan } from '../../training/backbone/inference-plan'
import workerSource from './feature-worker.cjs?raw'

type Reply =
  | { type: 'ready'; backend: string }
  | { type: 'done'; id: number; maps: Float32Array; shape: [number, number, number, number] }
  | { type: 'error'; id: number | null; message: string }

/** A batch's feature maps: `data` is shape[0] × shape[1] × shape[2] × shape[3] float32 (NHWC). */
export interface FeatureMaps {
  data: Float32Array
  shape: [number, number, number, number]
}

/** One worker thread holding one copy of the plan on its own tfjs engine. */
export class FeatureWorker {
  private readonly pending = new Map<number, { resolve: (m: FeatureMaps) => void; reject: (e: Error) => void }>()
  private readonly ready: Promise<string>
  private nextId = 1
  private dead: Error | null = null
  private resolveReady: (backend: string) => void = () => undefined
  private rejectReady: (err: Error) => void = () => undefined
  backend = ''

  constructor(
    private readonly worker: Worker,
    readonly index: number
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve
      this.rejectReady = reject
    })
    this.ready.catch(() => undefined)
    worker.on('message', (msg: Reply) => {
      if (msg.type === 'ready') {
        this.backend = msg.backend
        this.resolveReady(msg.backend)
      } else if (msg.type === 'error' && msg.id === null) {
        this.rejectReady(new AppError('ENGINE_CRASHED', `feature worker ${index} could not start: ${msg.message}`))
      } else {
        const id = msg.id as number
        const p = this.pending.get(id)
        this.pending.delete(id)
        if (msg.type === 'done') p?.resolve({ data: msg.maps, shape: msg.shape })
        else p?.reject(new AppError('INTERNAL', `feature worker ${index}: ${msg.message}`))
      }
    })
    const fail = (err: Error): void => {
      this.dead ??= err
      this.rejectReady(err)
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    worker.on('error', (err) => fail(new AppError('ENGINE_CRASHED', `feature worker ${index} crashed: ${err.message}`)))
    worker.on('exit', (code) =>
      fail(new AppError('ENGINE_CRASHED', `feature worker ${index} exited with code ${code}`))
    )
  }

  /** Sends the plan; resolves with the backend once the worker's engine holds it. */
  init(plan: InferencePlan, backend: 'wasm' | 'cpu'): Promise<string> {
    this.worker.postMessage({ type: 'init', plan, backend })
    return this.ready
  }

  /** Feature maps of a batch `[n, s, s, 3]`; the batch buffer is transferred (unusable afterwards). */
  run(batch: Float32Array, n: number): Promise<FeatureMaps> {
    if (this.dead) return Promise.reject(this.dead)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.worker.postMessage({ type: 'run', id, batch, n }, [batch.buffer as ArrayBuffer])
    })
  }

  terminate(): Promise<number> {
    return this.worker.terminate()
  }
}

/**
 * Worker threads that run a backbone's InferencePlan and return feature maps. Workers are spawned first
 * (each loads tfjs and its WASM binary) and given the plan later, so that start-up overlaps loading and
 * compiling the model in this thread.
 */
export class FeaturePool {
  private constructor(readonly workers: FeatureWorker[]) {}

  /** Starts `size` worker threads from the inlined feature-worker.cjs. */
  static spawn(size: number): FeaturePool {
    return new FeaturePool(
      Array.from(
        { length: size },
        (_, i) =>
          new FeatureWorker(new Worker(workerSource, { eval: true, workerData: { requireFrom: __filename } }), i)
      )
    )
  }

  /** Loads `plan` into every worker; throws ENGINE_CRASHED when one fails. Returns each worker's backend. */
  async init(plan: InferencePlan, backend: 'wasm' | 'cpu'): Promise<string[]> {
    return Promise.all(this.workers.map((w) => w.init(plan, backend)))
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

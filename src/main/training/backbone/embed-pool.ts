import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { AppError } from '../../../shared/errors'
import workerSource from './embed-worker.cjs?raw'
import type { InferencePlan } from './inference-plan'

/**
 * Starts a worker from embed-worker.cjs. Its text is inlined by Vite at build time and evaluated, so no
 * extra file has to ship beside the bundle; `requireFrom` (this module's path) makes its require() find
 * node_modules from here rather than from the process's working directory. `script` runs a file instead.
 */
function spawn(script?: string): Worker {
  if (script) {
    if (!fs.existsSync(script)) throw new AppError('NOT_FOUND', `embedding worker script ${script} is missing`)
    return new Worker(path.resolve(script), { workerData: { requireFrom: path.resolve(script) } })
  }
  return new Worker(workerSource, { eval: true, workerData: { requireFrom: __filename } })
}

type Reply =
  | { type: 'ready'; backend: string }
  | { type: 'done'; id: number; features: Float32Array }
  | { type: 'error'; id: number | null; message: string }

interface Pending {
  resolve: (f: Float32Array) => void
  reject: (e: Error) => void
}

/** One worker thread holding one copy of the plan on its own tfjs engine. */
class EmbedWorker {
  private pending = new Map<number, Pending>()
  private nextId = 1
  private dead: Error | null = null
  backend = ''

  constructor(
    private readonly worker: Worker,
    readonly index: number
  ) {
    worker.on('message', (msg: Reply) => {
      if (msg.type === 'done' || (msg.type === 'error' && msg.id !== null)) {
        const p = this.pending.get(msg.id as number)
        this.pending.delete(msg.id as number)
        if (msg.type === 'done') p?.resolve(msg.features)
        else p?.reject(new AppError('INTERNAL', `embedding worker ${index}: ${msg.message}`))
      }
    })
    const fail = (err: Error): void => {
      this.dead ??= err
      for (const p of this.pending.values()) p.reject(err)
      this.pending.clear()
    }
    worker.on('error', (err) =>
      fail(new AppError('ENGINE_CRASHED', `embedding worker ${index} crashed: ${err.message}`))
    )
    worker.on('exit', (code) =>
      fail(new AppError('ENGINE_CRASHED', `embedding worker ${index} exited with code ${code}`))
    )
  }

  /** Sends the plan and waits until the worker's engine holds it. */
  init(plan: InferencePlan, backend: 'wasm' | 'cpu'): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: Reply): void => {
        if (msg.type === 'ready') {
          this.backend = msg.backend
          cleanup()
          resolve()
        } else if (msg.type === 'error' && msg.id === null) {
          cleanup()
          reject(new AppError('ENGINE_CRASHED', `embedding worker ${this.index} could not start: ${msg.message}`))
        }
      }
      const onExit = (code: number): void => {
        cleanup()
        reject(new AppError('ENGINE_CRASHED', `embedding worker ${this.index} exited with code ${code} while starting`))
      }
      const cleanup = (): void => {
        this.worker.off('message', onMessage)
        this.worker.off('exit', onExit)
      }
      this.worker.on('message', onMessage)
      this.worker.on('exit', onExit)
      this.worker.postMessage({ type: 'init', plan, backend })
    })
  }

  /** Features `[n, featureDim]` of a batch `[n, s, s, 3]`; the batch buffer is transferred (unusable afterwards). */
  run(batch: Float32Array, n: number): Promise<Float32Array> {
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
 * A pool of worker threads, each running an InferencePlan on its own tfjs engine (WASM: single-threaded
 * per engine in Node, so one worker per core).
 */
export class EmbedPool {
  private constructor(readonly workers: EmbedWorker[]) {}

  /**
   * Starts `size` workers (from the inlined embed-worker.cjs, or from the file `script`) and loads `plan`
   * into each; throws ENGINE_CRASHED if one fails.
   */
  static async start(size: number, plan: InferencePlan, backend: 'wasm' | 'cpu', script?: string): Promise<EmbedPool> {
    const workers = Array.from({ length: size }, (_, i) => new EmbedWorker(spawn(script), i))
    const pool = new EmbedPool(workers)
    try {
      await Promise.all(workers.map((w) => w.init(plan, backend)))
    } catch (err) {
      await pool.close()
      throw err
    }
    return pool
  }

  /** The tfjs backend each worker ended up on. */
  get backends(): string[] {
    return this.workers.map((w) => w.backend)
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}

export type { EmbedWorker }

import { AppError, fromEnvelope } from '../../shared/errors'
import type { EngineLauncher, EngineProcess } from './launcher'
import type { EngineToHost } from './protocol'

export interface EngineRunOptions<E> {
  launcher: EngineLauncher
  /** The built engine entry (out/main/engine.js). */
  entry: string
  job: unknown
  env?: NodeJS.ProcessEnv
  onEvent: (event: E) => void
  onReady?: (backend: string, pid: number) => void
  signal?: AbortSignal
}

/**
 * Runs one job in its own engine process and resolves with its result. A crash (non-zero exit, a signal,
 * an out-of-memory kill) rejects with ENGINE_CRASHED naming the exit; the app itself never goes down with it.
 * Cancel asks the engine to stop between batches, and kills it if it has not exited 10 s later.
 */
export function runInEngine<E, R>(opts: EngineRunOptions<E>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let proc: EngineProcess
    try {
      proc = opts.launcher(opts.entry, { ...process.env, ...opts.env })
    } catch (err) {
      reject(new AppError('ENGINE_CRASHED', `the engine process could not start: ${(err as Error).message}`))
      return
    }
    let settled = false
    let killTimer: NodeJS.Timeout | null = null
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      if (killTimer) clearTimeout(killTimer)
      opts.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const onAbort = () => {
      proc.send({ t: 'cancel' })
      killTimer = setTimeout(() => proc.kill(), 10_000)
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })

    proc.onMessage((raw) => {
      const msg = raw as EngineToHost
      if (msg.t === 'ready') opts.onReady?.(msg.backend, msg.pid)
      else if (msg.t === 'event') opts.onEvent(msg.event as E)
      else if (msg.t === 'done') finish(() => resolve(msg.result as R))
      else if (msg.t === 'failed') finish(() => reject(fromEnvelope(msg.error)))
    })
    proc.onExit((code, signal) => {
      finish(() =>
        reject(
          new AppError(
            'ENGINE_CRASHED',
            `the engine process (pid ${proc.pid}) ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`
          )
        )
      )
    })
    proc.send({ t: 'start', job: opts.job })
    if (opts.signal?.aborted) onAbort()
  })
}

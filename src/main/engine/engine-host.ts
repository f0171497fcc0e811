import { AppError, fromEnvelope } from '../../shared/errors'
import type { AnyEngineJobKind, JobEvent, JobParams, JobResult } from './job-kind'
import type { EngineLauncher, EngineProcess } from './launcher'
import type { LiveEngines } from './live-engines'
import { describeIssues } from '../../shared/zod-issues'
import { engineToHost, PARENT_PID_ENV } from './protocol'

/** How long a cancelled engine may take to reach a cancel point before it is killed, ms. */
const CANCEL_GRACE_MS = 10_000

export interface EngineRunOptions<J extends AnyEngineJobKind> {
  launcher: EngineLauncher
  /** The built engine entry (out/main/engine.js). */
  entry: string
  /** Where the process is registered while it runs, so shutdown can stop it (the core's set). */
  live?: LiveEngines
  /** The job kind's declaration: types the call and validates what comes back. */
  job: J
  params: JobParams<J>
  env?: NodeJS.ProcessEnv
  onEvent: (event: JobEvent<J>) => void
  onReady?: (backend: string, pid: number) => void
  signal?: AbortSignal
}

/**
 * Runs one job in its own engine process and resolves with its result. A crash (non-zero exit, a signal,
 * an out-of-memory kill) rejects with ENGINE_CRASHED naming the exit; the app itself never goes down with it.
 * Cancel asks the engine to stop between batches, and kills it if it has not exited 10 s later. An event
 * or result that does not match the job's declaration ends the engine and rejects with INTERNAL naming it.
 */
export function runInEngine<J extends AnyEngineJobKind>(opts: EngineRunOptions<J>): Promise<JobResult<J>> {
  return new Promise<JobResult<J>>((resolve, reject) => {
    const kind = opts.job.kind
    const params = opts.job.params.safeParse(opts.params)
    if (!params.success) {
      reject(
        new AppError(
          'INVALID_ARGUMENT',
          `engine job "${kind}": bad parameters (${describeIssues(params.error, { root: 'params' })})`
        )
      )
      return
    }
    let proc: EngineProcess
    try {
      proc = opts.launcher(opts.entry, { ...process.env, ...opts.env, [PARENT_PID_ENV]: String(process.pid) })
    } catch (err) {
      reject(new AppError('ENGINE_CRASHED', `the engine process could not start: ${(err as Error).message}`))
      return
    }
    let settled = false
    let killTimer: NodeJS.Timeout | null = null
    let markExited: () => void = () => undefined
    const exited = new Promise<void>((r) => (markExited = r))
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      opts.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const stop = (graceMs: number) => {
      proc.send({ t: 'cancel' })
      if (killTimer) clearTimeout(killTimer)
      killTimer = setTimeout(() => proc.kill(), graceMs)
    }
    const onAbort = () => stop(CANCEL_GRACE_MS)
    /** A message that breaks the declaration: the engine is not trustworthy any more. */
    const refuse = (what: string) => {
      proc.kill()
      finish(() => reject(new AppError('INTERNAL', `engine job "${kind}" (pid ${proc.pid}) sent ${what}`)))
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    opts.live?.add({ pid: proc.pid, stop, exited })

    proc.onMessage((raw) => {
      if (settled) return
      const msg = engineToHost.safeParse(raw)
      if (!msg.success) return refuse(`a malformed message (${describeIssues(msg.error, { root: 'message' })})`)
      const m = msg.data
      if (m.t === 'ready') opts.onReady?.(m.backend, m.pid)
      else if (m.t === 'event') {
        const event = opts.job.event.safeParse(m.event)
        if (!event.success)
          return refuse(
            `an event that does not match its declaration (${describeIssues(event.error, { root: 'event' })})`
          )
        opts.onEvent(event.data as JobEvent<J>)
      } else if (m.t === 'done') {
        const result = opts.job.result.safeParse(m.result)
        if (!result.success)
          return refuse(
            `a result that does not match its declaration (${describeIssues(result.error, { root: 'result' })})`
          )
        finish(() => resolve(result.data as JobResult<J>))
      } else finish(() => reject(fromEnvelope(m.error)))
    })
    proc.onExit((code, signal) => {
      if (killTimer) clearTimeout(killTimer)
      markExited()
      finish(() =>
        reject(
          new AppError(
            'ENGINE_CRASHED',
            `the engine process (pid ${proc.pid}) ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`
          )
        )
      )
    })
    proc.send({ t: 'start', kind, params: params.data })
    if (opts.signal?.aborted) onAbort()
  })
}

import { AppError, toEnvelope } from '../../shared/errors'
import { isProcessAlive } from './job-state'
import type { AnyEngineJobKind, JobEvent, JobParams, JobResult } from './job-kind'
import { describeIssues } from '../../shared/zod-issues'
import { hostToEngine, PARENT_PID_ENV, type EngineToHost } from './protocol'

/** The engine-side code of one job kind: gets validated parameters, an event sink and a cancel signal. */
export interface EngineHandler<J extends AnyEngineJobKind = AnyEngineJobKind> {
  job: J
  run(params: JobParams<J>, emit: (event: JobEvent<J>) => void, signal: AbortSignal): Promise<JobResult<J>>
}

/** Pairs a declaration with its handler, type-checked against each other. */
export function engineHandler<J extends AnyEngineJobKind>(job: J, run: EngineHandler<J>['run']): EngineHandler<J> {
  return { job, run }
}

/** How often an engine checks that the app that started it still exists, ms. */
const PARENT_CHECK_MS = 2_000

/**
 * The engine side of the protocol, for a forked child (process.send) or an Electron utility process
 * (process.parentPort). Runs exactly one job, looked up by kind in `handlers`, then exits.
 */
export function serveEngine(handlers: readonly EngineHandler[], backend: () => Promise<string>): void {
  const byKind = new Map(handlers.map((h) => [h.job.kind, h]))
  const parentPort = (
    process as unknown as {
      parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void }
    }
  ).parentPort
  const send = (m: EngineToHost) => (parentPort ? parentPort.postMessage(m) : process.send?.(m))
  const controller = new AbortController()
  let started = false
  const onMessage = async (raw: unknown) => {
    const parsed = hostToEngine.safeParse(raw)
    if (!parsed.success) return
    const msg = parsed.data
    if (msg.t === 'cancel') return controller.abort()
    if (started) return
    started = true
    try {
      const handler = byKind.get(msg.kind)
      if (!handler) throw new AppError('INVALID_ARGUMENT', `the engine cannot run a job of kind "${msg.kind}"`)
      const params = handler.job.params.safeParse(msg.params)
      if (!params.success)
        throw new AppError(
          'INVALID_ARGUMENT',
          `engine job "${msg.kind}": bad parameters (${describeIssues(params.error, { root: 'params' })})`
        )
      send({ t: 'ready', backend: await backend(), pid: process.pid })
      const result = await handler.run(params.data, (event) => send({ t: 'event', event }), controller.signal)
      send({ t: 'done', result })
    } catch (err) {
      send({ t: 'failed', error: toEnvelope(err) })
    }
    // Let the last message flush before exiting.
    setTimeout(() => process.exit(0), 50)
  }
  if (parentPort) parentPort.on('message', (e) => void onMessage(e.data))
  else process.on('message', (m) => void onMessage(m))
  exitWithParent()
}

/**
 * The host going away must not leave an orphan burning CPU or writing into a run's folder. A forked child
 * sees its IPC channel close ('disconnect'); an Electron utility process has no such event, so every engine
 * also polls for the host's pid (passed in PARENT_PID_ENV, else the parent at start) and exits once it is gone
 * or the process was re-parented. Both need the job to yield to the event loop, which the loops do per batch.
 */
function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0))
  const parent = Number(process.env[PARENT_PID_ENV]) || process.ppid
  const startPpid = process.ppid
  const timer = setInterval(() => {
    if (process.ppid !== startPpid || !isProcessAlive(parent)) process.exit(0)
  }, PARENT_CHECK_MS)
  timer.unref()
}

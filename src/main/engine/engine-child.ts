import { toEnvelope } from '../../shared/errors'
import type { EngineToHost, HostToEngine } from './protocol'

/** A job an engine process can run: gets its input, an event sink and a cancel signal. */
export type EngineJob = (job: unknown, emit: (event: unknown) => void, signal: AbortSignal) => Promise<unknown>

/**
 * The engine side of the protocol, for a forked child (process.send) or an Electron utility process
 * (process.parentPort). Runs exactly one job, then exits.
 */
export function serveEngine(run: EngineJob, backend: () => Promise<string>): void {
  const parentPort = (
    process as unknown as {
      parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void }
    }
  ).parentPort
  const send = (m: EngineToHost) => (parentPort ? parentPort.postMessage(m) : process.send?.(m))
  const controller = new AbortController()
  let started = false
  const onMessage = async (raw: unknown) => {
    const msg = raw as HostToEngine
    if (msg.t === 'cancel') return controller.abort()
    if (msg.t !== 'start' || started) return
    started = true
    try {
      send({ t: 'ready', backend: await backend(), pid: process.pid })
      const result = await run(msg.job, (event) => send({ t: 'event', event }), controller.signal)
      send({ t: 'done', result })
    } catch (err) {
      send({ t: 'failed', error: toEnvelope(err) })
    }
    // Let the last message flush before exiting.
    setTimeout(() => process.exit(0), 50)
  }
  if (parentPort) parentPort.on('message', (e) => void onMessage(e.data))
  else process.on('message', (m) => void onMessage(m))
  // The host going away must not leave an orphan burning CPU.
  process.on('disconnect', () => process.exit(0))
}

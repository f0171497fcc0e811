import type { EventHub } from '../rpc/event-hub'

/** A job's final status as its status event reported it. */
export interface FinalStatus {
  status: string
  error?: string
}

/**
 * Subscribes now to a contract event channel (e.g. 'training.onRunEvent') and returns a function that resolves
 * with the first final status event of the given id. Subscribing before the job is started means no event is
 * missed, however fast the job ends. `final` reads an event: its id and final status, or null for any other event.
 */
export function awaitFinal(
  hub: EventHub,
  channel: string,
  final: (payload: unknown) => { id: number; end: FinalStatus } | null
): (id: number) => Promise<FinalStatus> {
  const seen = new Map<number, FinalStatus>()
  let waiting: { id: number; resolve: (s: FinalStatus) => void } | null = null
  const off = hub.subscribe((ch, payload) => {
    if (ch !== channel) return
    const f = final(payload)
    if (!f) return
    seen.set(f.id, f.end)
    if (waiting?.id === f.id) {
      off()
      waiting.resolve(f.end)
    }
  })
  return (id) =>
    new Promise((resolve) => {
      const already = seen.get(id)
      if (already) {
        off()
        resolve(already)
      } else waiting = { id, resolve }
    })
}

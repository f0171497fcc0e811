import type { Contract, EventNames, EventPayload } from '../../shared/contract'

export type EventListener = (channel: string, payload: unknown) => void

/**
 * Fan-out of contract events (`service.onX`) to every connected transport: the Electron window(s) and
 * WebSocket clients subscribe here; services only emit.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>()

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  emit<S extends keyof Contract, E extends EventNames<Contract, S>>(
    service: S,
    event: E,
    payload: EventPayload<Contract, S, E>
  ): void {
    const channel = `${String(service)}.${String(event)}`
    for (const l of this.listeners) {
      try {
        l(channel, payload)
      } catch {
        // A failing transport (closed socket, destroyed window) must not stop delivery to the others.
      }
    }
  }
}

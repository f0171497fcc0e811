import { contract, type Api, type ContractDef } from './contract'
import { fromEnvelope, type CallResult } from './errors'

/** A transport moves one call and delivers events; the client turns results into values or real Errors. */
export interface Transport {
  call(channel: string, request: unknown): Promise<CallResult>
  subscribe(channel: string, listener: (payload: unknown) => void): () => void
}

/**
 * Builds the typed `Api` (one function per method, `onX(listener)` per event) over any transport.
 * Used by the browser bridge; the Electron preload builds the same shape over IPC.
 */
export function createApiClient(transport: Transport, def: ContractDef = contract): Api {
  const api: Record<string, Record<string, unknown>> = {}
  for (const [service, members] of Object.entries(def)) {
    const svc: Record<string, unknown> = {}
    for (const [name, member] of Object.entries(members)) {
      const channel = `${service}.${name}`
      svc[name] =
        member.kind === 'rpc'
          ? async (request: unknown) => {
              const res = await transport.call(channel, request ?? {})
              if (res.ok) return res.value
              throw fromEnvelope(res.error)
            }
          : (listener: (p: unknown) => void) => transport.subscribe(channel, listener)
    }
    api[service] = svc
  }
  return api as unknown as Api
}

import type { z } from 'zod'

/**
 * Building blocks of the contract. A service is a plain object of methods and events:
 * - `rpc(schema).returns<T>()` declares a method taking one request object validated by `schema`
 *   and resolving to `T`;
 * - `event<T>()` declares an `onX` event carrying `T`.
 */

export interface RpcDef<Req extends z.ZodType = z.ZodType, Res = unknown> {
  readonly kind: 'rpc'
  readonly request: Req
  /** Phantom field: carries the response type only. */
  readonly response?: Res
}

export interface EventDef<P = unknown> {
  readonly kind: 'event'
  readonly payload?: P
}

export type ServiceDef = Record<string, RpcDef | EventDef>
export type ContractDef = Record<string, ServiceDef>

export function rpc<Req extends z.ZodType>(request: Req) {
  return {
    returns<Res>(): RpcDef<Req, Res> {
      return { kind: 'rpc', request }
    }
  }
}

export function event<P>(): EventDef<P> {
  return { kind: 'event' }
}

export type Unsubscribe = () => void

type MethodKeys<S> = { [K in keyof S]: S[K] extends RpcDef ? K : never }[keyof S]
type EventKeys<S> = { [K in keyof S]: S[K] extends EventDef ? K : never }[keyof S]

/** What the renderer (and any other caller) sees: one Promise-returning function per method. */
export type ClientOf<C extends ContractDef> = {
  [S in keyof C]: {
    [M in keyof C[S]]: C[S][M] extends RpcDef<infer Req, infer Res>
      ? (request: z.input<Req>) => Promise<Res>
      : C[S][M] extends EventDef<infer P>
        ? (listener: (payload: P) => void) => Unsubscribe
        : never
  }
}

/** Context handed to every handler by the transport that received the call. */
export interface CallContext {
  /** Which transport delivered the call. */
  transport: 'ipc' | 'ws' | 'direct'
}

/** What main implements: one handler per method, receiving the validated request. */
export type HandlersOf<C extends ContractDef> = {
  [S in keyof C]: {
    [M in MethodKeys<C[S]>]: C[S][M] extends RpcDef<infer Req, infer Res>
      ? (request: z.output<Req>, ctx: CallContext) => Promise<Res> | Res
      : never
  }
}

/** Payload type of an event, by service and name. */
export type EventPayload<C extends ContractDef, S extends keyof C, E extends EventKeys<C[S]>> =
  C[S][E] extends EventDef<infer P> ? P : never

export type EventNames<C extends ContractDef, S extends keyof C> = EventKeys<C[S]>

/** Channel name used on every transport: `service.method`. */
export function channelOf(service: string, member: string): string {
  return `${service}.${member}`
}

/** Lists every method and event of a contract, e.g. for registering IPC handlers or building a client. */
export function listMembers(contract: ContractDef): {
  methods: { service: string; method: string; channel: string }[]
  events: { service: string; event: string; channel: string }[]
} {
  const methods: { service: string; method: string; channel: string }[] = []
  const events: { service: string; event: string; channel: string }[] = []
  for (const [service, def] of Object.entries(contract)) {
    for (const [name, member] of Object.entries(def)) {
      if (member.kind === 'rpc') methods.push({ service, method: name, channel: channelOf(service, name) })
      else events.push({ service, event: name, channel: channelOf(service, name) })
    }
  }
  return { methods, events }
}

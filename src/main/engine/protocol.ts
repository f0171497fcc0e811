import { z } from 'zod'
import type { ErrorEnvelope } from '../../shared/errors'

/**
 * Messages between the app and an engine process. The engine knows no catalog: the host sends everything a
 * job needs and records what comes back. `params`, `event` and `result` are typed and checked by the job
 * kind's declaration (job-kind.ts); this envelope is checked here, on whichever side receives it.
 */
export type HostToEngine = { t: 'start'; kind: string; params: unknown } | { t: 'cancel' }

export type EngineToHost =
  | { t: 'ready'; backend: string; pid: number }
  | { t: 'event'; event: unknown }
  | { t: 'done'; result: unknown }
  | { t: 'failed'; error: ErrorEnvelope }

export const hostToEngine: z.ZodType<HostToEngine> = z.discriminatedUnion('t', [
  z.object({ t: z.literal('start'), kind: z.string(), params: z.unknown() }),
  z.object({ t: z.literal('cancel') })
])

export const engineToHost: z.ZodType<EngineToHost> = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready'), backend: z.string(), pid: z.number().int() }),
  z.object({ t: z.literal('event'), event: z.unknown() }),
  z.object({ t: z.literal('done'), result: z.unknown() }),
  z.object({
    t: z.literal('failed'),
    error: z.object({ name: z.string(), code: z.string(), message: z.string() }) as z.ZodType<ErrorEnvelope>
  })
])

/** The host's pid, so an engine can tell when the app that started it is gone (see engine-child.ts). */
export const PARENT_PID_ENV = 'NEUROPATH_ENGINE_PARENT_PID'

import type { ErrorEnvelope } from '../../shared/errors'

/**
 * Messages between the app and an engine process (training or batch inference). The engine knows no
 * catalog: the host sends everything a job needs and records what comes back.
 */
export type HostToEngine = { t: 'start'; job: unknown } | { t: 'cancel' }

export type EngineToHost =
  | { t: 'ready'; backend: string; pid: number }
  | { t: 'event'; event: unknown }
  | { t: 'done'; result: unknown }
  | { t: 'failed'; error: ErrorEnvelope }

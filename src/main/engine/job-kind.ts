import { z } from 'zod'

/**
 * The declaration of one engine job kind: what the host sends (`params`), what the engine reports while it
 * runs (`event`) and what it returns (`result`), as zod schemas. The same object types the host call
 * (`runInEngine`) and the child handler (`serveEngine`), and both sides validate against it: the child
 * checks `params` on entry, the host checks every event and the result as they arrive. This is the engine's
 * counterpart of the renderer contract in src/shared/contract.
 */
export interface EngineJobKind<
  K extends string = string,
  P extends z.ZodType = z.ZodType,
  E extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType
> {
  readonly kind: K
  readonly params: P
  readonly event: E
  readonly result: R
}

export type AnyEngineJobKind = EngineJobKind<string, z.ZodType, z.ZodType, z.ZodType>
export type JobParams<J extends AnyEngineJobKind> = z.output<J['params']>
export type JobEvent<J extends AnyEngineJobKind> = z.output<J['event']>
export type JobResult<J extends AnyEngineJobKind> = z.output<J['result']>

/** Declares a job kind (see EngineJobKind). One declaration per kind, next to the domain code it runs. */
export function defineEngineJob<K extends string, P extends z.ZodType, E extends z.ZodType, R extends z.ZodType>(
  decl: EngineJobKind<K, P, E, R>
): EngineJobKind<K, P, E, R> {
  return decl
}

/**
 * A nested payload whose fields are declared once, as a TypeScript interface in src/shared/contract
 * (EpochMetrics, Evaluation, …): checked here for being an object and passed through unchanged, so a field
 * added to the contract never gets stripped on the way. Discriminants and scalars around it are checked fully.
 */
export function contractObject<T extends object>(name: string): z.ZodType<T> {
  return z.custom<T>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: `expected ${name}` })
}

/** A typed array that crossed the channel by structured clone (advanced serialization keeps its class). */
export const float32 = z.custom<Float32Array>((v) => v instanceof Float32Array, { message: 'expected a Float32Array' })
export const uint8 = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected a Uint8Array' })

/** Nothing: for a job kind without progress events. */
export const noEvents = z.never()

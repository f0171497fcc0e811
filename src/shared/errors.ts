/**
 * The error envelope that crosses every process boundary (IPC, WebSocket, engine worker).
 * Callers always receive a real `Error` rebuilt from it, with the same `name`, `code` and `message`.
 */

/** Machine-readable reason for a failure. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNSUPPORTED'
  | 'IO'
  | 'CORRUPT'
  | 'CANCELLED'
  | 'FORBIDDEN'
  | 'BUSY'
  | 'ENGINE_CRASHED'
  | 'INTERNAL'

/** What travels on the wire. */
export interface ErrorEnvelope {
  name: string
  code: ErrorCode
  message: string
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED',
  'IO',
  'CORRUPT',
  'CANCELLED',
  'FORBIDDEN',
  'BUSY',
  'ENGINE_CRASHED',
  'INTERNAL'
])

/** An error with a stable code. Throw it from services; messages name the thing and the reason. */
export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, name = 'AppError') {
    super(message)
    this.code = code
    this.name = name
  }
}

/** Any thrown value → envelope. Unknown errors keep their message but become INTERNAL. */
export function toEnvelope(err: unknown): ErrorEnvelope {
  if (err instanceof AppError) return { name: err.name, code: err.code, message: err.message }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return {
      name: err.name || 'Error',
      code: typeof code === 'string' && CODES.has(code) ? (code as ErrorCode) : 'INTERNAL',
      message: err.message || String(err)
    }
  }
  return { name: 'Error', code: 'INTERNAL', message: String(err) }
}

/** Envelope → real Error on the caller's side. */
export function fromEnvelope(env: ErrorEnvelope): AppError {
  const code = CODES.has(env?.code) ? env.code : 'INTERNAL'
  return new AppError(code, String(env?.message ?? 'Unknown error'), String(env?.name ?? 'AppError'))
}

/** The result shape of one call on transports that cannot throw across the boundary. */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ErrorEnvelope }

import type { z } from 'zod'
import {
  contract as appContract,
  type CallContext,
  type ContractDef,
  type Handlers,
  type RpcDef
} from '../../shared/contract'
import { AppError, toEnvelope, type CallResult } from '../../shared/errors'
import { describeIssues } from '../../shared/zod-issues'

type AnyHandler = (request: unknown, ctx: CallContext) => unknown

/** SQLite failures the user can act on (disk full, read-only workspace, locked) get a plain message. */
function explainStorageError(channel: string, err: unknown): unknown {
  const code = (err as { code?: unknown })?.code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err
  if (code.startsWith('SQLITE_FULL'))
    return new AppError(
      'IO',
      `${channel}: the workspace disk is full; nothing was saved by this action, earlier data is intact`
    )
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
    return new AppError(
      'IO',
      `${channel}: the workspace is read-only; nothing was saved by this action, earlier data is intact`
    )
  }
  if (code.startsWith('SQLITE_BUSY'))
    return new AppError('BUSY', `${channel}: the catalog is busy in another NeuroPath process; try again`)
  if (code.startsWith('SQLITE_IOERR'))
    return new AppError('IO', `${channel}: the workspace disk failed (${code}); earlier data is intact`)
  return new AppError('INTERNAL', `${channel}: catalog error ${code}: ${(err as Error).message}`)
}

/**
 * Transport-independent call routing: validates the request against the contract's schema, runs the
 * handler, and turns any failure into an error envelope. IPC, the WebSocket bridge and tests all use it.
 */
export class Dispatcher {
  private readonly routes = new Map<string, { schema: z.ZodType; handler: AnyHandler }>()

  constructor(handlers: Handlers, contract: ContractDef = appContract) {
    for (const [service, def] of Object.entries(contract)) {
      for (const [name, member] of Object.entries(def)) {
        if (member.kind !== 'rpc') continue
        const handler = (handlers as unknown as Record<string, Record<string, AnyHandler>>)[service]?.[name]
        if (typeof handler !== 'function') throw new Error(`no handler registered for ${service}.${name}`)
        this.routes.set(`${service}.${name}`, { schema: (member as RpcDef).request, handler })
      }
    }
  }

  get channels(): string[] {
    return [...this.routes.keys()]
  }

  async call(channel: string, request: unknown, ctx: CallContext): Promise<CallResult> {
    try {
      const route = this.routes.get(channel)
      if (!route) throw new AppError('NOT_FOUND', `unknown API method "${String(channel).slice(0, 100)}"`)
      const parsed = route.schema.safeParse(request ?? {})
      if (!parsed.success) {
        throw new AppError('INVALID_ARGUMENT', `${channel}: invalid request: ${describeIssues(parsed.error)}`)
      }
      return { ok: true, value: await route.handler(parsed.data, ctx) }
    } catch (err) {
      return { ok: false, error: toEnvelope(explainStorageError(channel, err)) }
    }
  }
}

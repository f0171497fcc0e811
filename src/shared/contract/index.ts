import type { ClientOf, ContractDef, HandlersOf } from './define'
import { catalogService, systemService } from './system'

/**
 * The whole API the renderer may call, by service. Main registers a handler for every method
 * (IPC in Electron, WebSocket in browser mode); preload exposes one function per method.
 *
 * Services still to arrive with their issues: imaging (#3), datasets (#4), training (#5/#6),
 * inference (#7). Each is added here as `<name>: <name>Service` from its own file.
 */
export const contract = {
  system: systemService,
  catalog: catalogService
} satisfies ContractDef

export type Contract = typeof contract
export type Api = ClientOf<Contract>
export type Handlers = HandlersOf<Contract>

export * from './define'
export * from './common'
export * from './system'

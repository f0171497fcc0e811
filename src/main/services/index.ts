import type { Handlers, SystemInfo } from '../../shared/contract'
import { JobRegistry } from '../jobs/job-registry'
import { MediaResolver } from '../media/media-resolver'
import { Dispatcher } from '../rpc/dispatcher'
import { EventHub } from '../rpc/event-hub'
import { Workspace } from '../workspace/workspace'
import type { AppContext } from './app-context'
import { catalogHandlers } from './catalog-service'
import { systemHandlers } from './system-service'

/** Every handler of the contract, bound to one app context. */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    system: systemHandlers(ctx),
    catalog: catalogHandlers(ctx)
  }
}

/** The core of the app without any shell: workspace, event hub, jobs and the dispatcher. */
export interface Core {
  ctx: AppContext
  dispatcher: Dispatcher
  close(): void
}

export function createCore(workspaceDir: string, shell: SystemInfo['shell']): Core {
  const workspace = Workspace.open(workspaceDir)
  const hub = new EventHub()
  const ctx: AppContext = { workspace, hub, jobs: new JobRegistry(hub), media: new MediaResolver(), shell }
  return { ctx, dispatcher: new Dispatcher(createHandlers(ctx)), close: () => workspace.close() }
}

export type { AppContext } from './app-context'

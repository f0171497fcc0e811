import type { Handlers, SystemInfo } from '../../shared/contract'
import { defaultEngineConfig, type EngineConfig } from '../engine/engine-config'
import { JobRegistry } from '../jobs/job-registry'
import { MediaResolver } from '../media/media-resolver'
import { Dispatcher } from '../rpc/dispatcher'
import { EventHub } from '../rpc/event-hub'
import { Workspace } from '../workspace/workspace'
import type { AppContext } from './app-context'
import { catalogHandlers } from './catalog-service'
import { datasetsHandlers } from './datasets-service'
import { imagingHandlers } from './imaging-service'
import { inferenceHandlers } from './inference-service'
import { systemHandlers } from './system-service'
import { trainingHandlers } from './training-service'

/** Every handler of the contract, bound to one app context. */
export function createHandlers(ctx: AppContext): Handlers {
  return {
    system: systemHandlers(ctx),
    catalog: catalogHandlers(ctx),
    imaging: imagingHandlers(ctx),
    datasets: datasetsHandlers(ctx),
    training: trainingHandlers(ctx),
    inference: inferenceHandlers(ctx)
  }
}

/** The core of the app without any shell: workspace, event hub, jobs and the dispatcher. */
export interface Core {
  ctx: AppContext
  dispatcher: Dispatcher
  close(): void
}

export function createCore(
  workspaceDir: string,
  shell: SystemInfo['shell'],
  engine: EngineConfig = defaultEngineConfig()
): Core {
  const workspace = Workspace.open(workspaceDir)
  const hub = new EventHub()
  const ctx: AppContext = { workspace, hub, jobs: new JobRegistry(hub), media: new MediaResolver(), shell, engine }
  return { ctx, dispatcher: new Dispatcher(createHandlers(ctx)), close: () => workspace.close() }
}

export type { AppContext } from './app-context'

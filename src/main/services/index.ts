import type { Handlers, SystemInfo } from '../../shared/contract'
import { defaultEngineConfig, type EngineConfig } from '../engine/engine-config'
import { LiveEngines } from '../engine/live-engines'
import { JobRegistry } from '../jobs/job-registry'
import { MediaResolver } from '../media/media-resolver'
import { Dispatcher } from '../rpc/dispatcher'
import { EventHub } from '../rpc/event-hub'
import { Workspace } from '../workspace/workspace'
import type { AppContext } from './app-context'
import { catalogHandlers } from './catalog-service'
import { datasetsHandlers } from './datasets-service'
import { evidenceHandlers } from './evidence-service'
import { imagingHandlers } from './imaging-service'
import { inferenceHandlers } from './inference-service'
import { systemHandlers } from './system-service'
import { trainingHandlers } from './training-service'

/** Every handler of the contract, bound to one app context. */
export function createHandlers(ctx: AppContext): Handlers {
  const training = trainingHandlers(ctx)
  const inference = inferenceHandlers(ctx)
  return {
    system: systemHandlers(ctx),
    catalog: catalogHandlers(ctx),
    imaging: imagingHandlers(ctx),
    datasets: datasetsHandlers(ctx),
    training,
    inference,
    evidence: evidenceHandlers(ctx, training, inference)
  }
}

/** The core of the app without any shell: workspace, event hub, jobs and the dispatcher. */
export interface Core {
  ctx: AppContext
  dispatcher: Dispatcher
  /**
   * Shuts the core down: every running run and job is recorded as interrupted, the catalog closes at once,
   * and every engine process is asked to stop (killed after a grace period). Resolves when all have exited.
   */
  close(): Promise<void>
}

export function createCore(
  workspaceDir: string,
  shell: SystemInfo['shell'],
  engine: EngineConfig = defaultEngineConfig()
): Core {
  const workspace = Workspace.open(workspaceDir)
  const hub = new EventHub()
  const live = new LiveEngines()
  const ctx: AppContext = {
    workspace,
    hub,
    jobs: new JobRegistry(hub),
    media: new MediaResolver(),
    shell,
    engine: { ...engine, live }
  }
  let closed: Promise<void> | null = null
  const close = (): Promise<void> => {
    if (closed) return closed
    // stopAll first lets the services record their jobs as interrupted (synchronously), then stops the engines.
    const stopped = live.stopAll()
    workspace.close()
    closed = stopped
    return closed
  }
  return { ctx, dispatcher: new Dispatcher(createHandlers(ctx)), close }
}

export type { AppContext } from './app-context'

import type { SystemInfo } from '../../shared/contract'
import type { JobRegistry } from '../jobs/job-registry'
import type { MediaResolver } from '../media/media-resolver'
import type { EventHub } from '../rpc/event-hub'
import type { Workspace } from '../workspace/workspace'

/** Everything a service handler may use. Built once per shell (Electron, browser mode, CLI, tests). */
export interface AppContext {
  workspace: Workspace
  hub: EventHub
  jobs: JobRegistry
  /** Files the renderer may load by id (thumbnails, renders). */
  media: MediaResolver
  shell: SystemInfo['shell']
}

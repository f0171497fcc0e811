import type { SystemInfo } from '../../shared/contract'
import type { EngineConfig } from '../engine/engine-config'
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
  /** How engine processes (training, batch inference) are started. */
  engine: EngineConfig
  /** The shell's native open dialog (Electron); absent in browser mode and the CLI. */
  pickPaths?: (opts: { kind: 'file' | 'folder'; title?: string; multiple: boolean }) => Promise<string[]>
}

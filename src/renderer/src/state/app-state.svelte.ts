import type { JobSummary, SystemInfo } from '../../../shared/contract'
import { api } from '../lib/api'

export type ViewId = 'datasets' | 'viewer' | 'training' | 'runs' | 'classify'

export const VIEWS: { id: ViewId; label: string; key: string }[] = [
  { id: 'datasets', label: 'Datasets', key: '1' },
  { id: 'viewer', label: 'Viewer', key: '2' },
  { id: 'training', label: 'Training', key: '3' },
  { id: 'runs', label: 'Runs', key: '4' },
  { id: 'classify', label: 'Classify', key: '5' }
]

/** Shell-level state: the current view, system info for the status bar, and background jobs. */
export class AppState {
  view = $state<ViewId>('datasets')
  info = $state.raw<SystemInfo | null>(null)
  jobs = $state.raw<JobSummary[]>([])
  /** Set when the backend cannot be reached or getInfo failed; shown in the status bar. */
  connectionError = $state<string | null>(null)

  constructor() {
    const fromHash = location.hash.slice(1) as ViewId
    if (VIEWS.some((v) => v.id === fromHash)) this.view = fromHash
  }

  select(view: ViewId): void {
    this.view = view
    history.replaceState(null, '', `${location.pathname}${location.search}#${view}`)
  }

  async load(): Promise<void> {
    try {
      this.info = await api.system.getInfo({})
      this.jobs = await api.system.listJobs({})
      this.connectionError = null
    } catch (err) {
      this.connectionError = (err as Error).message
    }
    api.system.onJobsChanged((jobs) => (this.jobs = jobs))
  }

  get runningJobs(): JobSummary[] {
    return this.jobs.filter((j) => j.state === 'running')
  }
}

import type { JobSummary } from '../../shared/contract'
import type { EventHub } from '../rpc/event-hub'

/** Background jobs for the status bar. Keeps finished jobs of this session so the user sees how they ended. */
export class JobRegistry {
  private readonly jobs = new Map<string, JobSummary>()
  private seq = 0

  constructor(private readonly hub: EventHub) {}

  start(kind: JobSummary['kind'], title: string): string {
    const id = `${kind}-${++this.seq}`
    this.jobs.set(id, { id, kind, title, progress: null, state: 'running', message: null })
    this.changed()
    return id
  }

  update(id: string, patch: Partial<Omit<JobSummary, 'id' | 'kind'>>): void {
    const job = this.jobs.get(id)
    if (!job) return
    this.jobs.set(id, { ...job, ...patch })
    this.changed()
  }

  list(): JobSummary[] {
    return [...this.jobs.values()]
  }

  private changed(): void {
    this.hub.emit('system', 'onJobsChanged', this.list())
  }
}

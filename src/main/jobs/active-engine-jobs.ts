import type { AppError } from '../../shared/errors'
import type { EngineConfig } from '../engine/engine-config'
import { runInEngine } from '../engine/engine-host'
import type { AnyEngineJobKind, JobEvent, JobParams, JobResult } from '../engine/job-kind'
import type { Workspace } from '../workspace/workspace'

/** What a service does with one engine job's life: every callback runs only while the catalog is open. */
export interface EngineJobCallbacks<J extends AnyEngineJobKind> {
  onEvent(event: JobEvent<J>): void
  onReady?(backend: string, pid: number): void
  onResult(result: JobResult<J>): void
  /** `cancelRequested`: the user asked for the stop (an engine killed after cancel then reads as a crash). */
  onError(err: AppError, cancelRequested: boolean): void
  /** The app is shutting down while the job runs: record it as interrupted (its engine is being stopped). */
  onInterrupted(): void
}

/**
 * The service side of engine jobs of one kind, keyed by their catalog id (run id, classification job id):
 * which are running in this app, their cancel, and the shutdown path. When the core closes, every running
 * job is recorded as interrupted first, then its engine is stopped (LiveEngines.stopAll); whatever the
 * engine still reports after that is ignored, so the interrupted status stays and a resume starts clean.
 */
export class ActiveEngineJobs<J extends AnyEngineJobKind> {
  private readonly active = new Map<number, { controller: AbortController; callbacks: EngineJobCallbacks<J> }>()
  private closing = false

  constructor(
    private readonly job: J,
    private readonly engine: EngineConfig,
    private readonly workspace: Workspace
  ) {
    engine.live?.onStop(() => this.interruptAll())
  }

  has(id: number): boolean {
    return this.active.has(id)
  }

  ids(): number[] {
    return [...this.active.keys()]
  }

  /** Starts the job's engine; the caller checked that `id` is not running. */
  start(id: number, params: JobParams<J>, callbacks: EngineJobCallbacks<J>): void {
    const controller = new AbortController()
    this.active.set(id, { controller, callbacks })
    // The app may be closing (catalog closed) while the engine still reports; the next start marks it interrupted.
    const live = () => !this.closing && this.workspace.db.open
    void runInEngine({
      ...this.engine,
      job: this.job,
      params,
      onEvent: (e) => {
        if (live()) callbacks.onEvent(e)
      },
      onReady: (backend, pid) => {
        if (live()) callbacks.onReady?.(backend, pid)
      },
      signal: controller.signal
    })
      // Off the active list before the callbacks run, so a shutdown they trigger does not mark a finished job.
      .then((result) => {
        this.active.delete(id)
        if (live()) callbacks.onResult(result)
      })
      .catch((err: AppError) => {
        this.active.delete(id)
        if (live()) callbacks.onError(err, controller.signal.aborted)
      })
  }

  /** Asks the job's engine to stop; false when it is not running in this app. */
  cancel(id: number): boolean {
    const job = this.active.get(id)
    if (!job) return false
    job.controller.abort()
    return true
  }

  private interruptAll(): void {
    if (this.closing) return
    if (this.workspace.db.open) for (const { callbacks } of this.active.values()) callbacks.onInterrupted()
    this.closing = true
  }
}

import type { Handlers, RunEvent, StudyEvent, StudyMetrics, StudyStatus } from '../../../shared/contract'
import type { AppContext } from '../../services/app-context'
import { awaitFinal } from '../await-final'
import { assembleOutOfFold } from '../out-of-fold'
import { studyMetrics } from './study-metrics'
import { StudyStore } from './study-store'

const CALL = { transport: 'direct' as const }

/**
 * Runs a study's folds one after another, each as an ordinary training run started through the training
 * service (so every fold is a real run with its own record, curves and model), and pools each fold's
 * held-out predictions into out-of-fold probabilities. Lives in the app process: it only waits on engines.
 */
export class StudyRunner {
  private readonly store: StudyStore
  /** Studies running in this process → the run of the fold in progress (null between folds). */
  private readonly running = new Map<number, { runId: number | null; cancelled: boolean }>()

  constructor(
    private readonly ctx: AppContext,
    private readonly training: Handlers['training']
  ) {
    this.store = new StudyStore(ctx.workspace.db)
  }

  isRunning(studyId: number): boolean {
    return this.running.has(studyId)
  }

  /**
   * Starts the fold loop in the background; its end is reported by onStudyEvent. With `resume`, folds whose run
   * completed are kept as they are (their held-out predictions are read back), and a fold whose run was
   * interrupted, stopped or failed continues through the training service's run resume (from its last saved
   * epoch) instead of starting over.
   */
  start(studyId: number, resume = false): void {
    this.running.set(studyId, { runId: null, cancelled: false })
    void this.loop(studyId, resume).catch((err: Error) => this.finish(studyId, 'failed', err.message))
  }

  async cancel(studyId: number): Promise<void> {
    const s = this.running.get(studyId)
    if (!s) return
    s.cancelled = true
    if (s.runId !== null) await this.training.cancelRun({ runId: s.runId }, CALL)
  }

  private emit(e: StudyEvent): void {
    this.ctx.hub.emit('evidence', 'onStudyEvent', e)
  }

  private finish(studyId: number, status: StudyStatus, error?: string): void {
    this.running.delete(studyId)
    if (!this.ctx.workspace.db.open) return
    this.store.setStatus(studyId, status, { error: error ?? null })
    this.emit({ studyId, type: 'status', status, ...(error ? { error } : {}) })
  }

  /**
   * Trains one fold to its end: starts its run, or with `prior` (a run of this fold from before an interruption)
   * resumes that run. Resolves with the run's id and final status, or null when the catalog closed meanwhile.
   */
  private async trainFold(
    studyId: number,
    fold: number,
    prior: { runId: number; status: string } | undefined
  ): Promise<{ runId: number; status: string } | null> {
    const spec = this.store.spec(studyId)
    const seeds = spec.kind === 'seeds'
    const state = this.running.get(studyId)!
    const ended = awaitFinal(this.ctx.hub, 'training.onRunEvent', (p) => {
      const e = p as RunEvent
      return e.type === 'status' && e.status !== 'running' && e.status !== 'queued'
        ? { id: e.runId, end: { status: e.status } }
        : null
    })
    const run = prior
      ? await this.training.resumeRun({ runId: prior.runId }, CALL)
      : await this.training.startRun(
          {
            datasetId: spec.datasetId,
            versionId: spec.versionId,
            name: seeds ? `${spec.name} · seed ${spec.seed + fold}` : `${spec.name} · fold ${fold + 1}/${spec.folds}`,
            // A seeds study trains the version's own split, run r with seed + r.
            config: seeds ? { ...spec.config, seed: spec.seed + fold } : spec.config,
            ...(seeds ? {} : { fold: { studyId, fold } })
          },
          CALL
        )
    if (seeds && !prior) this.store.attachRun(studyId, fold, run.id)
    state.runId = run.id
    this.emit({ studyId, type: 'fold-started', fold, runId: run.id })
    const { status } = await ended(run.id)
    state.runId = null
    return this.ctx.workspace.db.open ? { runId: run.id, status } : null
  }

  private async loop(studyId: number, resume: boolean): Promise<void> {
    const spec = this.store.spec(studyId)
    const state = this.running.get(studyId)!
    const done: { fold: number; runId: number }[] = []
    const seeds = spec.kind === 'seeds'
    const what = seeds ? 'seed' : 'fold'
    const before = resume ? this.store.foldRuns(studyId) : new Map<number, { runId: number; status: string }>()
    for (let fold = 0; fold < spec.folds; fold++) {
      if (state.cancelled) return this.finish(studyId, 'stopped', 'stopped by the user')
      const prior = before.get(fold)
      // A fold that completed before the interruption is kept: its run and held-out predictions stay.
      const ran = prior?.status === 'completed' ? prior : await this.trainFold(studyId, fold, prior)
      if (!ran) return
      const { runId, status } = ran
      const detail = await this.training.getRun({ runId }, CALL)
      this.emit({
        studyId,
        type: 'fold-finished',
        fold,
        runId,
        status,
        accuracy: detail.evaluation?.accuracy ?? null
      })
      if (status !== 'completed') {
        return this.finish(
          studyId,
          status === 'stopped' ? 'stopped' : status === 'interrupted' ? 'interrupted' : 'failed',
          `${what} ${fold + 1} ended ${status}${detail.error ? `: ${detail.error}` : ''}`
        )
      }
      if (seeds) {
        if (!detail.evaluation) return this.finish(studyId, 'failed', `run ${runId} has no evaluation`)
        done.push({ fold, runId })
        continue
      }
      const p = detail.evaluation?.predictions
      if (!detail.evaluation || detail.evaluation.split !== 'test' || !p) {
        return this.finish(studyId, 'failed', `fold ${fold + 1} (run ${runId}) has no predictions on its held-out fold`)
      }
      const K = spec.classNames.length
      this.store.setOutOfFold(
        studyId,
        p.itemIds.map((itemId, r) => ({ itemId, probs: p.probs.slice(r * K, (r + 1) * K) }))
      )
      done.push({ fold, runId })
    }
    this.complete(studyId, done)
  }

  /**
   * Pools the folds' held-out predictions into out-of-fold probabilities, checking that every item was predicted
   * exactly once and only by the fold that held it out, then stores the study's metrics.
   */
  private complete(studyId: number, done: { fold: number; runId: number }[]): void {
    const spec = this.store.spec(studyId)
    if (spec.kind === 'seeds') {
      const runs = done.map(({ fold, runId }) => ({ fold, runId, evaluation: this.store.evaluationOf(runId)! }))
      return this.succeed(studyId, studyMetrics(runs, null, spec.classNames.length, spec.seed))
    }
    const items = this.store.items(studyId)
    const K = spec.classNames.length
    const row = new Map(items.map((it, i) => [it.itemId, i]))
    const folds = done.map(({ fold, runId }) => ({ fold, runId, evaluation: this.store.evaluationOf(runId)! }))
    let probs: Float32Array
    try {
      probs = assembleOutOfFold(
        Int32Array.from(items, (it) => it.fold),
        K,
        folds.map(({ fold, evaluation }) => ({
          fold,
          indices: evaluation.predictions!.itemIds.map((id) => row.get(id) ?? -1),
          probs: evaluation.predictions!.probs
        }))
      )
    } catch (err) {
      return this.finish(studyId, 'failed', (err as Error).message)
    }
    const metrics = studyMetrics(
      folds,
      {
        probs,
        labels: items.map((o) => o.label),
        groups: spec.groupBy.kind === 'none' ? undefined : items.map((o) => o.groupKey)
      },
      K,
      spec.seed
    )
    this.succeed(studyId, metrics)
  }

  private succeed(studyId: number, metrics: StudyMetrics): void {
    this.running.delete(studyId)
    this.store.setStatus(studyId, 'completed', { metrics })
    this.emit({ studyId, type: 'status', status: 'completed' })
  }
}

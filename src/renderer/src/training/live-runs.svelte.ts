import type {
  LearningVerdict,
  RunDetail,
  RunEvent,
  RunStatus,
  RunSummary,
  TrainingConfig
} from '../../../shared/contract/training'
import { SvelteMap } from 'svelte/reactivity'
import { api } from '../lib/api'
import { clockTime } from './format'
import { nextProgress, type ProgressFields } from './progress-text'
import { RunCurves } from './run-curves'

/** Log lines kept per live run (the catalog keeps them all). */
const LOG_LINES = 500

const FINAL: ReadonlySet<RunStatus> = new Set(['completed', 'stopped', 'failed', 'interrupted'])

/**
 * One run as it trains: progress (stage, epoch, batch, images/s, ETA), phase, log and curves. Curves live in
 * a plain RunCurves (arrays that only grow); `version` bumps on every change so charts append in place.
 */
export class LiveRun {
  status = $state<RunStatus>('running')
  error = $state<string | null>(null)
  name = $state('')
  phase = $state<string | null>(null)
  phaseProgress = $state<number | null>(null)
  stage = $state<1 | 2 | null>(null)
  /** The epoch in progress (or last finished) within the stage, 1-based; 0 before the first. */
  epoch = $state(0)
  batch = $state(0)
  batches = $state(0)
  imagesPerSecond = $state<number | null>(null)
  etaSeconds = $state<number | null>(null)
  /** Set the moment Cancel is pressed, until the run reaches a final status (the button says so at once). */
  cancelRequested = $state(false)
  /** The learning verdict, from the final status event or the stored run. */
  verdict = $state.raw<LearningVerdict | null>(null)
  log = $state.raw<string[]>([])
  /** Bumps whenever the curves gain points or marks. */
  version = $state(0)
  /** Changes when the curves must be redrawn from scratch (a resumed run repeated an epoch). */
  resetKey = $state(0)
  curves = $state.raw(new RunCurves())
  config: TrainingConfig | null = null

  constructor(readonly id: number) {}

  /** Seeds the run from its stored record (page reload, or a run started elsewhere). */
  seed(d: RunDetail): void {
    this.name = d.name
    this.status = d.status
    this.error = d.error
    this.config = d.config
    this.verdict = d.verdict
    this.stage = d.stage
    this.curves = RunCurves.fromDetail(d)
    const last = d.epochs.at(-1)
    if (last) this.epoch = last.epoch + 1
    this.log = d.log.slice(-LOG_LINES)
    this.resetKey++
    this.version++
  }

  /** Epochs the current stage is configured to run. */
  get stageEpochs(): number {
    if (!this.config || this.stage === null) return 0
    return this.stage === 1 ? this.config.stage1.epochs : this.config.stage2.epochs
  }

  /** Stages this run is configured to run, e.g. [1, 2]. */
  get stages(): (1 | 2)[] {
    const c = this.config
    if (!c) return []
    return ([1, 2] as const).filter((s) =>
      s === 1 ? c.stage1.enabled && c.stage1.epochs > 0 : c.stage2.enabled && c.stage2.epochs > 0
    )
  }

  get running(): boolean {
    return !FINAL.has(this.status)
  }

  /** The fields live events change (see nextProgress). */
  private get progress(): ProgressFields {
    const { stage, epoch, batch, batches, imagesPerSecond, etaSeconds, phase, phaseProgress } = this
    return { stage, epoch, batch, batches, imagesPerSecond, etaSeconds, phase, phaseProgress }
  }

  private set progress(p: ProgressFields) {
    Object.assign(this, p)
  }

  apply(e: RunEvent): void {
    this.progress = nextProgress(this.progress, e)
    switch (e.type) {
      case 'status':
        this.status = e.status
        this.error = e.error ?? null
        if (e.verdict) this.verdict = e.verdict
        if (FINAL.has(e.status)) this.cancelRequested = false
        break
      case 'batch':
        this.curves.addBatch(e.stage, e.epoch, e.batch, e.batches, e.loss)
        this.version++
        break
      case 'epoch':
        if (!this.curves.addEpoch(e.metrics)) this.resetKey++
        this.version++
        break
      case 'mark':
        this.curves.addMark(e.mark)
        this.version++
        break
      case 'log': {
        this.log = [...this.log.slice(-(LOG_LINES - 1)), `${clockTime()} ${e.line}`]
        break
      }
    }
  }
}

/**
 * Live state of every run, for the whole session: subscribed to `training.onRunEvent` once (not inside a
 * view), so a run keeps updating while the user works in other views and its curves are intact on return.
 */
export class LiveRuns {
  /** All runs, newest first (the Runs table, resume offers). */
  runs = $state.raw<RunSummary[]>([])
  /** Runs followed live in this session, by id. */
  readonly live = new SvelteMap<number, LiveRun>()
  /** The run the Training view shows (the one launched last, or resumed). */
  focusId = $state<number | null>(null)
  loadError = $state<string | null>(null)
  private started = false
  private refreshing: Promise<void> | null = null

  /** Subscribes once and loads the runs; views call it on mount, later calls do nothing. */
  start(): void {
    if (this.started) return
    this.started = true
    api.training.onRunEvent((e) => this.onEvent(e))
    void this.refresh()
  }

  get focused(): LiveRun | null {
    return this.focusId === null ? null : (this.live.get(this.focusId) ?? null)
  }

  /** Runs left interrupted (the app or engine stopped mid-run): the Training view offers to resume them. */
  get interrupted(): RunSummary[] {
    return this.runs.filter((r) => r.status === 'interrupted')
  }

  /** Reloads the run list, and follows any running run not followed yet (e.g. after a page reload). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.runs = await api.training.listRuns({})
        this.loadError = null
        for (const r of this.runs.filter((x) => x.status === 'running' || x.status === 'queued')) {
          if (!this.live.has(r.id)) await this.follow(r.id)
          this.focusId ??= r.id
        }
      } catch (err) {
        this.loadError = (err as Error).message
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  /** Starts following a run, seeded from the catalog; a run already followed is left as it is. */
  private async follow(id: number): Promise<LiveRun> {
    const known = this.live.get(id)
    if (known) return known
    const run = new LiveRun(id)
    this.live.set(id, run)
    run.seed(await api.training.getRun({ runId: id }))
    return run
  }

  private onEvent(e: RunEvent): void {
    const run = this.live.get(e.runId)
    if (run) run.apply(e)
    if (e.type === 'status') {
      // The summary row (status, metrics, duration) changes with every status.
      void this.refresh()
      if (!run && e.status === 'running') void this.follow(e.runId)
    }
  }

  /** Starts a run and follows it; the Training view then shows its progress. */
  async launch(req: Parameters<typeof api.training.startRun>[0]): Promise<RunSummary> {
    const summary = await api.training.startRun(req)
    this.focusId = summary.id
    // The run's 'running' status event may have started following it already; follow() then does nothing.
    await this.follow(summary.id)
    await this.refresh()
    return summary
  }

  /** Asks the engine to stop; the run shows "Cancelling…" at once, and again offers Cancel if the call fails. */
  async cancel(id: number): Promise<void> {
    const run = this.live.get(id)
    if (run) run.cancelRequested = true
    try {
      await api.training.cancelRun({ runId: id })
    } catch (err) {
      if (run) {
        run.cancelRequested = false
        run.error = `Cancel failed: ${(err as Error).message}`
      }
      throw err
    }
  }

  async resume(id: number): Promise<void> {
    const run = this.live.get(id) ?? new LiveRun(id)
    this.live.set(id, run)
    run.seed(await api.training.getRun({ runId: id }))
    await api.training.resumeRun({ runId: id })
    run.status = 'running'
    this.focusId = id
    await this.refresh()
  }

  /** Forgets a deleted run. */
  forget(id: number): void {
    this.live.delete(id)
    if (this.focusId === id) this.focusId = null
    this.runs = this.runs.filter((r) => r.id !== id)
  }
}

/** The session's one live-run store. */
export const liveRuns = new LiveRuns()

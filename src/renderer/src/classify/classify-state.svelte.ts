import type {
  ImagePrediction,
  InferenceEvent,
  InferenceJobDetail,
  InferenceJobSummary,
  InferenceModelInfo
} from '../../../shared/contract/inference'
import { DEFAULT_LOW_CONFIDENCE } from '../../../shared/contract/inference'
import { isFlaggedVerdict } from '../../../shared/contract/training'
import type { ViewerPlane } from '../../../shared/contract/imaging'
import { api } from '../lib/api'
import { viewerState } from '../viewer/viewer-state.svelte'
import { ResultExport } from './result-export.svelte'
import { saliencyState } from './saliency-state.svelte'
import { showInViewer } from './show-in-viewer'
import {
  NO_FILTER,
  filterPredictions,
  groupByPatientSeries,
  sortPredictions,
  type ResultFilter,
  type SortDir,
  type SortKey
} from './table-model'

/** Live progress of a running job, from its last onJobEvent. */
export type JobProgress = Extract<InferenceEvent, { type: 'progress' }>

/** Where the model comes from: one of the workspace's trained runs, or a model folder typed by the user. */
export type ModelSource = { kind: 'run'; runId: number } | { kind: 'folder' }

const errorText = (err: unknown) => (err as Error)?.message ?? String(err)

/**
 * Everything the Classify view shows: the models to choose from, the new-job form, past jobs, the open job
 * with its results (filtered, sorted, grouped), live progress, export, and the result open in the viewer.
 */
export class ClassifyState {
  models = $state.raw<InferenceModelInfo[]>([])
  source = $state.raw<ModelSource>({ kind: 'folder' })
  /** Typed model folder (source 'folder') and what its card says. */
  modelFolder = $state('')
  folderModel = $state.raw<InferenceModelInfo | null>(null)
  modelError = $state<string | null>(null)
  /** Typed patient folder. */
  folder = $state('')
  threshold = $state(DEFAULT_LOW_CONFIDENCE)
  saliency = $state(true)
  /** Test-time augmentation: average over a left–right mirror and shifts, and store each image's spread. */
  tta = $state(false)
  /** NIfTI volumes in the folder are classified slice by slice along this plane. */
  volumePlane = $state<ViewerPlane>('axial')
  starting = $state(false)
  /** The model folder the user confirmed using although it is flagged (did not learn / overfit); per model. */
  acceptedFlaggedModel = $state<string | null>(null)
  formError = $state<string | null>(null)

  jobs = $state.raw<InferenceJobSummary[]>([])
  selectedId = $state<number | null>(null)
  detail = $state.raw<InferenceJobDetail | null>(null)
  detailError = $state<string | null>(null)
  progress = $state.raw<Record<number, JobProgress>>({})

  filter = $state.raw<ResultFilter>(NO_FILTER)
  sortKey = $state<SortKey>('order')
  sortDir = $state<SortDir>('asc')
  grouped = $state(true)

  /** Export of the open job (CSV/JSON, optionally de-identified). */
  readonly exports = new ResultExport()

  /** The result shown in the viewer panel, or null when the panel is closed. */
  openResult = $state.raw<ImagePrediction | null>(null)
  viewerError = $state<string | null>(null)

  readonly rows: ImagePrediction[] = $derived(
    sortPredictions(filterPredictions(this.detail?.predictions ?? [], this.filter), this.sortKey, this.sortDir)
  )
  readonly groups = $derived(groupByPatientSeries(this.rows, this.detail?.patients ?? [], this.detail?.series ?? []))
  readonly selectedModel: InferenceModelInfo | null = $derived(
    this.source.kind === 'run'
      ? (this.models.find((m) => m.runId === (this.source as { runId: number }).runId) ?? null)
      : this.folderModel
  )
  /** The chosen model is flagged and the user has not yet confirmed using it. */
  readonly needsFlagConfirmation: boolean = $derived(
    isFlaggedVerdict(this.selectedModel?.verdict) && this.acceptedFlaggedModel !== this.selectedModel?.modelDir
  )
  readonly running: boolean = $derived(this.jobs.some((j) => j.status === 'running'))

  private listening = false
  private detailToken = 0

  /** Loads models and jobs and subscribes to job events (once). */
  async load(): Promise<void> {
    if (!this.listening) {
      this.listening = true
      api.inference.onJobEvent((e) => this.onEvent(e))
    }
    try {
      const [models, jobs] = await Promise.all([api.inference.listModels({}), api.inference.listJobs({})])
      this.models = models
      this.jobs = jobs
      if (this.source.kind === 'folder' && !this.modelFolder && models.length)
        this.source = { kind: 'run', runId: models[0].runId! }
      if (this.selectedId === null && jobs.length) await this.select(jobs[0].id)
    } catch (err) {
      this.formError = errorText(err)
    }
  }

  private onEvent(e: InferenceEvent): void {
    if (e.type === 'progress') {
      this.progress = { ...this.progress, [e.jobId]: e }
      return
    }
    void this.refreshJobs().then(() => {
      if (e.jobId === this.selectedId) void this.select(e.jobId)
    })
  }

  private async refreshJobs(): Promise<void> {
    try {
      this.jobs = await api.inference.listJobs({})
    } catch (err) {
      this.detailError = errorText(err)
    }
  }

  /** Reads the card of the typed model folder. */
  async describeFolder(): Promise<void> {
    this.folderModel = null
    this.modelError = null
    const dir = this.modelFolder.trim()
    if (!dir) return
    try {
      this.folderModel = await api.inference.describeModel({ modelDir: dir })
    } catch (err) {
      this.modelError = errorText(err)
    }
  }

  /** Starts a job on the chosen model and folder, and opens it. */
  async start(): Promise<void> {
    this.formError = null
    const folder = this.folder.trim()
    if (!folder) {
      this.formError = 'Type the path of the patient folder to classify'
      return
    }
    const model =
      this.source.kind === 'run'
        ? { runId: this.source.runId }
        : this.modelFolder.trim()
          ? { modelDir: this.modelFolder.trim() }
          : null
    if (!model) {
      this.formError = 'Choose a trained model, or type the path of a model folder'
      return
    }
    if (this.needsFlagConfirmation) {
      this.formError = `This model is flagged (${this.selectedModel?.verdict?.summary}): confirm that you want to use it anyway`
      return
    }
    this.starting = true
    try {
      const job = await api.inference.startJob({
        ...model,
        acceptFlaggedModel:
          this.acceptedFlaggedModel !== null && this.acceptedFlaggedModel === this.selectedModel?.modelDir,
        folder,
        lowConfidenceThreshold: this.threshold,
        saliency: this.saliency,
        tta: this.tta,
        volumePlane: this.volumePlane
      })
      await this.refreshJobs()
      await this.select(job.id)
    } catch (err) {
      this.formError = errorText(err)
    } finally {
      this.starting = false
    }
  }

  async cancel(jobId: number): Promise<void> {
    try {
      await api.inference.cancelJob({ jobId })
    } catch (err) {
      this.detailError = errorText(err)
    }
  }

  /** Opens a job: its results, aggregates and failures, re-flagged at its threshold. */
  async select(jobId: number): Promise<void> {
    const token = ++this.detailToken
    if (jobId !== this.selectedId) {
      this.filter = NO_FILTER
      this.exports.reset()
    }
    this.selectedId = jobId
    this.detailError = null
    try {
      const d = await api.inference.getJob({ jobId })
      if (token !== this.detailToken) return
      this.detail = d
      this.threshold = d.lowConfidenceThreshold
      saliencyState.setJob(d.id, d.classNames, d.predictions)
    } catch (err) {
      if (token === this.detailToken) {
        this.detail = null
        this.detailError = errorText(err)
      }
    }
  }

  /** Re-flags low-confidence predictions of the open job at `t` (nothing is re-run). */
  async setThreshold(t: number): Promise<void> {
    if (!this.detail || !Number.isFinite(t) || t < 0 || t > 1) return
    this.threshold = t
    const token = ++this.detailToken
    try {
      const d = await api.inference.getJob({ jobId: this.detail.id, lowConfidenceThreshold: t })
      if (token === this.detailToken) this.detail = d
    } catch (err) {
      this.detailError = errorText(err)
    }
  }

  async remove(jobId: number): Promise<void> {
    try {
      await api.inference.deleteJob({ jobId })
      if (saliencyState.jobId === jobId) saliencyState.clear()
      if (this.selectedId === jobId) {
        this.selectedId = null
        this.detail = null
      }
      await this.refreshJobs()
    } catch (err) {
      this.detailError = errorText(err)
    }
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc'
    else {
      // Ascending first: for confidence that puts the least certain predictions on top.
      this.sortKey = key
      this.sortDir = 'asc'
    }
  }

  setFilter(patch: Partial<ResultFilter>): void {
    this.filter = { ...this.filter, ...patch }
  }

  /** Writes the open job's export under the workspace's exports/ folder and offers the file as a download. */
  async exportResults(): Promise<void> {
    if (this.detail) await this.exports.run(this.detail.id, this.threshold)
  }

  /**
   * Shows a result in the viewer panel: opens the folder holding it (so the series can be scrolled, each
   * classified slice with its overlay) and goes to its slice or frame.
   */
  async openInViewer(p: ImagePrediction): Promise<void> {
    this.openResult = p
    this.viewerError = null
    this.viewerError = await showInViewer(p, this.detail?.volumePlane)
  }

  /** Opens the next (+1) or previous (−1) row of the table in the viewer. */
  async step(by: number): Promise<void> {
    const cur = this.openResult
    if (!cur) return
    const i = this.rows.findIndex((r) => r.id === cur.id)
    const next = this.rows[i + by]
    if (next) await this.openInViewer(next)
  }

  closeViewer(): void {
    viewerState.stopCine()
    this.openResult = null
  }
}

/** The Classify view's state for the whole session (it keeps its place when the user switches views). */
export const classifyState = new ClassifyState()

import type { GroupBy, StudyDetail, StudySummary } from '../../../shared/contract'
import type { RunDetail, TrainingConfig } from '../../../shared/contract/training'
import { api } from '../lib/api'

/**
 * Cross-validation studies for the Training and Runs views: the list (refreshed on every study event), the
 * study being started from the Training view, and the expanded study with its folds' runs (for the
 * overlaid curves).
 */
export class StudiesState {
  studies = $state.raw<StudySummary[]>([])
  error = $state<string | null>(null)
  starting = $state(false)
  /** The study started from the Training view this session (its progress is shown there). */
  startedId = $state<number | null>(null)
  expandedId = $state<number | null>(null)
  expanded = $state.raw<StudyDetail | null>(null)
  foldRuns = $state.raw<RunDetail[]>([])
  private listening = false

  listen(): void {
    if (this.listening) return
    this.listening = true
    api.evidence.onStudyEvent((e) => {
      void this.refresh()
      if (e.studyId === this.expandedId && e.type !== 'fold-started') void this.loadExpanded(e.studyId)
    })
    void this.refresh()
  }

  async refresh(): Promise<void> {
    try {
      this.studies = await api.evidence.listStudies({})
      this.error = null
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  get started(): StudySummary | null {
    return this.studies.find((s) => s.id === this.startedId) ?? null
  }

  /** "Repeat with N seeds" on the dataset's split (`versionId` absent: the current curation, frozen). */
  async startSeeds(req: {
    datasetId: number
    versionId?: number
    repeats: number
    seed: number
    config: TrainingConfig
  }): Promise<void> {
    await this.launch(() => api.evidence.startSeedStudy(req))
  }

  async start(req: {
    datasetId: number
    folds: number
    groupBy: GroupBy
    seed: number
    config: TrainingConfig
  }): Promise<void> {
    await this.launch(() => api.evidence.startStudy(req))
  }

  private async launch(start: () => Promise<StudySummary>): Promise<void> {
    this.starting = true
    this.error = null
    try {
      const s = await start()
      this.startedId = s.id
      await this.refresh()
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.starting = false
    }
  }

  async cancel(studyId: number): Promise<void> {
    try {
      await api.evidence.cancelStudy({ studyId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** Continues an interrupted (or stopped/failed) study: finished folds stay, the unfinished fold resumes. */
  async resume(studyId: number): Promise<void> {
    try {
      this.error = null
      await api.evidence.resumeStudy({ studyId })
      await this.refresh()
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async toggle(studyId: number): Promise<void> {
    if (this.expandedId === studyId) {
      this.expandedId = null
      this.expanded = null
      this.foldRuns = []
      return
    }
    this.expandedId = studyId
    await this.loadExpanded(studyId)
  }

  private async loadExpanded(studyId: number): Promise<void> {
    try {
      const detail = await api.evidence.getStudy({ studyId })
      const runs = await Promise.all(
        detail.runIds.filter((r): r is number => r !== null).map((runId) => api.training.getRun({ runId }))
      )
      if (this.expandedId !== studyId) return
      this.expanded = detail
      this.foldRuns = runs
    } catch (err) {
      this.error = (err as Error).message
    }
  }
}

export const studiesState = new StudiesState()

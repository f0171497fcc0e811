import type {
  Evaluation,
  GroupBy,
  StudyDetail,
  StudyMetrics,
  StudyStatus,
  StudySummary,
  TrainingConfig
} from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { findOrphans } from '../../engine/job-state'
import type { StudyItem } from './fold-splits'

interface StudyRow {
  id: number
  kind: 'cv' | 'seeds'
  name: string
  dataset_id: number
  dataset_name: string
  version_id: number
  version_number: number
  folds: number
  seed: number
  group_by_json: string
  config_json: string
  class_names_json: string
  status: StudyStatus
  error: string | null
  metrics_json: string | null
  created_at: string
  finished_at: string | null
}

const SELECT = `SELECT s.*, d.name AS dataset_name, v.number AS version_number
  FROM cv_studies s JOIN datasets d ON d.id = s.dataset_id JOIN dataset_versions v ON v.id = s.version_id`

/** Cross-validation studies in the catalog (migration 006): the study, its items' folds and OOF probabilities. */
export class StudyStore {
  constructor(private readonly db: Catalog) {}

  /** Creates a running study with every item's fold; returns its id. */
  create(s: {
    kind?: 'cv' | 'seeds'
    name: string
    datasetId: number
    versionId: number
    folds: number
    seed: number
    groupBy: GroupBy
    config: TrainingConfig
    classNames: string[]
    items: StudyItem[]
  }): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO cv_studies (kind, name, dataset_id, version_id, folds, seed, group_by_json, config_json,
               class_names_json, status, created_at, host_pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`
          )
          .run(
            s.kind ?? 'cv',
            s.name,
            s.datasetId,
            s.versionId,
            s.folds,
            s.seed,
            JSON.stringify(s.groupBy),
            JSON.stringify(s.config),
            JSON.stringify(s.classNames),
            new Date().toISOString(),
            process.pid
          ).lastInsertRowid
      )
      const insert = this.db.prepare(
        'INSERT INTO cv_study_items (study_id, item_id, fold, label_index, group_key) VALUES (?, ?, ?, ?, ?)'
      )
      for (const it of s.items) insert.run(id, it.itemId, it.fold, it.label, it.groupKey)
      return id
    })()
  }

  items(studyId: number): StudyItem[] {
    return this.db
      .prepare(
        `SELECT item_id AS itemId, fold, label_index AS label, group_key AS groupKey FROM cv_study_items
         WHERE study_id = ? ORDER BY item_id`
      )
      .all(studyId) as StudyItem[]
  }

  /** The study and fold a run trains, or null for an ordinary run. */
  foldOfRun(runId: number): { studyId: number; fold: number } | null {
    const r = this.db.prepare('SELECT study_id AS studyId, fold FROM cv_study_runs WHERE run_id = ?').get(runId) as
      { studyId: number; fold: number } | undefined
    return r ?? null
  }

  attachRun(studyId: number, fold: number, runId: number): void {
    this.db
      .prepare('INSERT OR REPLACE INTO cv_study_runs (study_id, fold, run_id) VALUES (?, ?, ?)')
      .run(studyId, fold, runId)
  }

  /** The run of each fold started so far and its status (fold → run), for resuming a study. */
  foldRuns(studyId: number): Map<number, { runId: number; status: string }> {
    const rows = this.db
      .prepare(
        `SELECT c.fold, c.run_id AS runId, r.status FROM cv_study_runs c JOIN runs r ON r.id = c.run_id
         WHERE c.study_id = ?`
      )
      .all(studyId) as { fold: number; runId: number; status: string }[]
    return new Map(rows.map((r) => [r.fold, { runId: r.runId, status: r.status }]))
  }

  /** Stores out-of-fold probabilities (one array per item, class order). */
  setOutOfFold(studyId: number, rows: { itemId: number; probs: number[] }[]): void {
    const up = this.db.prepare('UPDATE cv_study_items SET oof_probs_json = ? WHERE study_id = ? AND item_id = ?')
    this.db.transaction(() => {
      for (const r of rows) up.run(JSON.stringify(r.probs), studyId, r.itemId)
    })()
  }

  /** Items with their out-of-fold probabilities (null until their fold has run). */
  outOfFold(studyId: number): (StudyItem & { probs: number[] | null })[] {
    const rows = this.db
      .prepare(
        `SELECT item_id AS itemId, fold, label_index AS label, group_key AS groupKey, oof_probs_json AS p
         FROM cv_study_items WHERE study_id = ? ORDER BY item_id`
      )
      .all(studyId) as (StudyItem & { p: string | null })[]
    return rows.map(({ p, ...r }) => ({ ...r, probs: p ? (JSON.parse(p) as number[]) : null }))
  }

  setStatus(studyId: number, status: StudyStatus, extra: { error?: string | null; metrics?: StudyMetrics } = {}): void {
    const done = status !== 'running'
    this.db
      .prepare(
        `UPDATE cv_studies SET status = ?, error = ?, metrics_json = COALESCE(?, metrics_json),
           finished_at = ?, host_pid = ? WHERE id = ?`
      )
      .run(
        status,
        extra.error ?? null,
        extra.metrics ? JSON.stringify(extra.metrics) : null,
        done ? new Date().toISOString() : null,
        done ? null : process.pid,
        studyId
      )
  }

  /** Studies left running by an app that is gone: marked interrupted (their finished folds stay). */
  markOrphansInterrupted(): number[] {
    const orphans = findOrphans(this.db, 'cv_studies', ['running'])
    for (const id of orphans)
      this.setStatus(id, 'interrupted', { error: 'the app closed while this study was running' })
    return orphans
  }

  private row(studyId: number): StudyRow {
    const r = this.db.prepare(`${SELECT} WHERE s.id = ?`).get(studyId) as StudyRow | undefined
    if (!r) throw new AppError('NOT_FOUND', `cross-validation study ${studyId} does not exist`)
    return r
  }

  private summaryOf(r: StudyRow): StudySummary {
    const runs = [...this.foldRuns(r.id)].map(([fold, x]) => ({ fold, ...x }))
    const runIds: (number | null)[] = new Array<number | null>(r.folds).fill(null)
    for (const x of runs) runIds[x.fold] = x.runId
    const counts = this.db
      .prepare('SELECT COUNT(*) AS items, COUNT(oof_probs_json) AS oof FROM cv_study_items WHERE study_id = ?')
      .get(r.id) as { items: number; oof: number }
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      datasetId: r.dataset_id,
      datasetName: r.dataset_name,
      versionId: r.version_id,
      versionNumber: r.version_number,
      folds: r.folds,
      seed: r.seed,
      groupBy: JSON.parse(r.group_by_json) as GroupBy,
      status: r.status,
      error: r.error,
      runIds,
      completedFolds: runs.filter((x) => x.status === 'completed').length,
      oofItems: counts.oof,
      items: counts.items,
      metrics: r.metrics_json ? (JSON.parse(r.metrics_json) as StudyMetrics) : null,
      createdAt: r.created_at,
      finishedAt: r.finished_at
    }
  }

  get(studyId: number): StudySummary {
    return this.summaryOf(this.row(studyId))
  }

  list(): StudySummary[] {
    return (this.db.prepare(`${SELECT} ORDER BY s.id DESC`).all() as StudyRow[]).map((r) => this.summaryOf(r))
  }

  detail(studyId: number): StudyDetail {
    const r = this.row(studyId)
    const classNames = JSON.parse(r.class_names_json) as string[]
    const items = this.items(studyId)
    const foldCounts = Array.from({ length: r.folds }, () => new Array<number>(classNames.length).fill(0))
    for (const it of items) foldCounts[it.fold][it.label]++
    return {
      ...this.summaryOf(r),
      config: JSON.parse(r.config_json) as TrainingConfig,
      classNames,
      foldCounts,
      groups: new Set(items.map((i) => i.groupKey)).size
    }
  }

  /** Config, classes and seed of a study (what a fold's launch needs). */
  spec(studyId: number): {
    kind: 'cv' | 'seeds'
    datasetId: number
    versionId: number
    classNames: string[]
    seed: number
    folds: number
    config: TrainingConfig
    groupBy: GroupBy
    name: string
  } {
    const r = this.row(studyId)
    return {
      kind: r.kind,
      datasetId: r.dataset_id,
      versionId: r.version_id,
      classNames: JSON.parse(r.class_names_json) as string[],
      seed: r.seed,
      folds: r.folds,
      config: JSON.parse(r.config_json) as TrainingConfig,
      groupBy: JSON.parse(r.group_by_json) as GroupBy,
      name: r.name
    }
  }

  /** The stored evaluation of a run (a fold's held-out metrics). */
  evaluationOf(runId: number): Evaluation | null {
    const r = this.db.prepare('SELECT evaluation_json AS e FROM runs WHERE id = ?').get(runId) as
      { e: string | null } | undefined
    return r?.e ? (JSON.parse(r.e) as Evaluation) : null
  }

  /** The latest completed study of a dataset, or null. */
  latestCompleted(datasetId: number): number | null {
    const r = this.db
      .prepare("SELECT id FROM cv_studies WHERE dataset_id = ? AND status = 'completed' ORDER BY id DESC LIMIT 1")
      .get(datasetId) as { id: number } | undefined
    return r?.id ?? null
  }
}

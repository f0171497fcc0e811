/**
 * The catalog store of training runs: every SQL statement on `runs`, `run_epochs`, `run_marks` and `run_log`
 * lives here, so a migration touches one file. It is over 300 lines because each recorded fact of a run
 * (verdict, intervals, per-stage backends, model origin) adds a column to map between rows and the contract;
 * splitting the mapping from the statements would put one table's schema in two places.
 */
import type {
  BackboneInfo,
  EpochMetrics,
  Evaluation,
  Interval,
  LearningVerdict,
  ModelOrigin,
  RunDetail,
  RunMark,
  RunStatus,
  RunSummary,
  StageBackends,
  TrainingConfig
} from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { findOrphans } from '../../engine/job-state'

interface RunRow {
  id: number
  name: string
  dataset_id: number
  dataset_name: string
  version_id: number
  version_number: number
  status: RunStatus
  config_json: string
  class_names_json: string
  backbone_json: string | null
  backend: string | null
  /** JSON StageBackends / ModelOrigin from the job result (migration 008); null before a run ends. */
  stage_backends_json: string | null
  model_origin_json: string | null
  stage: 1 | 2 | null
  best_val_accuracy: number | null
  evaluation_accuracy: number | null
  evaluation_split: 'test' | 'val' | null
  macro_f1: number | null
  verdict_json: string | null
  /** Start of the current running period (migration 005); null when not running. */
  running_since: string | null
  evaluation_json: string | null
  /** JSON of the evaluation's accuracy and macro-F1 intervals (migration 006 era evaluations), else null. */
  iv_accuracy: string | null
  iv_macro_f1: string | null
  model_dir: string | null
  note: string
  error: string | null
  duration_seconds: number
  created_at: string
  started_at: string | null
  finished_at: string | null
  host_pid: number | null
}

// The headline intervals are extracted in SQL: the stored evaluation also holds every test item's probabilities.
const SELECT = `SELECT r.*, d.name AS dataset_name, v.number AS version_number,
    json_extract(r.evaluation_json, '$.intervals.accuracy') AS iv_accuracy,
    json_extract(r.evaluation_json, '$.intervals.macroF1') AS iv_macro_f1
  FROM runs r JOIN datasets d ON d.id = r.dataset_id JOIN dataset_versions v ON v.id = r.version_id`

/** The headline intervals of a stored evaluation (the list shows them beside accuracy and macro F1). */
function summaryIntervals(r: RunRow): RunSummary['evaluationIntervals'] {
  return r.iv_accuracy && r.iv_macro_f1
    ? { accuracy: JSON.parse(r.iv_accuracy) as Interval, macroF1: JSON.parse(r.iv_macro_f1) as Interval }
    : null
}

function summary(r: RunRow): RunSummary {
  const backbone = r.backbone_json ? (JSON.parse(r.backbone_json) as BackboneInfo) : null
  const config = JSON.parse(r.config_json) as TrainingConfig
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    datasetId: r.dataset_id,
    datasetName: r.dataset_name,
    versionId: r.version_id,
    versionNumber: r.version_number,
    backbone: backbone?.kind ?? config.backbone.kind,
    backend: r.backend,
    stageBackends: r.stage_backends_json ? (JSON.parse(r.stage_backends_json) as StageBackends) : null,
    modelOrigin: r.model_origin_json ? (JSON.parse(r.model_origin_json) as ModelOrigin) : null,
    stage: r.stage,
    bestValAccuracy: r.best_val_accuracy,
    evaluationSplit: r.evaluation_split,
    evaluationAccuracy: r.evaluation_accuracy,
    macroF1: r.macro_f1,
    evaluationIntervals: summaryIntervals(r),
    verdict: r.verdict_json ? (JSON.parse(r.verdict_json) as LearningVerdict) : null,
    durationSeconds:
      r.duration_seconds + (r.running_since ? Math.max(0, (Date.now() - Date.parse(r.running_since)) / 1000) : 0),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
    note: r.note,
    error: r.error,
    modelDir: r.model_dir
  }
}

/** Training runs in the catalog (migration 003): the run record, per-epoch metrics, curve marks and log. */
export class RunStore {
  constructor(private readonly db: Catalog) {}

  create(run: {
    name: string
    datasetId: number
    versionId: number
    config: TrainingConfig
    classNames: string[]
  }): number {
    const res = this.db
      .prepare(
        `INSERT INTO runs (name, dataset_id, version_id, status, config_json, class_names_json, created_at)
         VALUES (?, ?, ?, 'queued', ?, ?, ?)`
      )
      .run(
        run.name,
        run.datasetId,
        run.versionId,
        JSON.stringify(run.config),
        JSON.stringify(run.classNames),
        new Date().toISOString()
      )
    return Number(res.lastInsertRowid)
  }

  private row(id: number): RunRow {
    const row = this.db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined
    if (!row) throw new AppError('NOT_FOUND', `run ${id} does not exist`)
    return row
  }

  get(id: number): RunSummary {
    return summary(this.row(id))
  }

  list(): RunSummary[] {
    return (this.db.prepare(`${SELECT} ORDER BY r.id DESC`).all() as RunRow[]).map(summary)
  }

  detail(id: number): RunDetail {
    const r = this.row(id)
    const epochs = this.db
      .prepare(
        `SELECT stage, epoch, loss, accuracy, val_loss AS valLoss, val_accuracy AS valAccuracy, lr, seconds
         FROM run_epochs WHERE run_id = ? ORDER BY stage, epoch`
      )
      .all(id) as EpochMetrics[]
    const marks = this.db
      .prepare('SELECT kind, stage, epoch, text FROM run_marks WHERE run_id = ? ORDER BY id')
      .all(id) as RunMark[]
    const log = (
      this.db.prepare('SELECT at, line FROM run_log WHERE run_id = ? ORDER BY id').all(id) as {
        at: string
        line: string
      }[]
    ).map((l) => `${l.at.slice(11, 19)} ${l.line}`)
    return {
      ...summary(r),
      config: JSON.parse(r.config_json) as TrainingConfig,
      classNames: JSON.parse(r.class_names_json) as string[],
      backboneInfo: r.backbone_json ? (JSON.parse(r.backbone_json) as BackboneInfo) : null,
      epochs,
      marks,
      evaluation: r.evaluation_json ? (JSON.parse(r.evaluation_json) as Evaluation) : null,
      log
    }
  }

  /**
   * Sets the status. Duration is wall-clock: entering `running` opens a running period, a final status closes
   * it and adds its length to duration_seconds (so a resumed run counts only the time it actually ran).
   */
  setStatus(id: number, status: RunStatus, patch: { error?: string | null; hostPid?: number | null } = {}): void {
    const now = new Date()
    const iso = now.toISOString()
    const final = status === 'completed' || status === 'stopped' || status === 'failed' || status === 'interrupted'
    const running = status === 'running' ? 1 : 0
    this.db.transaction(() => {
      const { running_since: since } = this.db.prepare('SELECT running_since FROM runs WHERE id = ?').get(id) as {
        running_since: string | null
      }
      const ran = final && since ? Math.max(0, (now.getTime() - Date.parse(since)) / 1000) : 0
      this.db
        .prepare(
          `UPDATE runs SET status = ?, error = ?,
             started_at = CASE WHEN ? AND started_at IS NULL THEN ? ELSE started_at END,
             finished_at = CASE WHEN ? THEN ? ELSE NULL END,
             running_since = CASE WHEN ? THEN COALESCE(running_since, ?) WHEN ? THEN NULL ELSE running_since END,
             duration_seconds = duration_seconds + ?,
             host_pid = ?
           WHERE id = ?`
        )
        .run(
          status,
          patch.error ?? null,
          running,
          iso,
          final ? 1 : 0,
          iso,
          running,
          iso,
          final ? 1 : 0,
          ran,
          final ? null : (patch.hostPid ?? process.pid),
          id
        )
    })()
  }

  /** Stores the learning verdict computed when the run ended. */
  setVerdict(id: number, verdict: LearningVerdict): void {
    this.db.prepare('UPDATE runs SET verdict_json = ? WHERE id = ?').run(JSON.stringify(verdict), id)
  }

  setEngineInfo(id: number, backbone: BackboneInfo, backend: string): void {
    this.db
      .prepare('UPDATE runs SET backbone_json = ?, backend = ? WHERE id = ?')
      .run(JSON.stringify(backbone), backend, id)
  }

  /**
   * Records one epoch (replacing it when a resumed run repeats it) and the running best val accuracy. Epoch
   * seconds are not the run's duration (setStatus measures that on the wall clock).
   */
  addEpoch(id: number, m: EpochMetrics): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT OR REPLACE INTO run_epochs (run_id, stage, epoch, loss, accuracy, val_loss, val_accuracy, lr, seconds)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(id, m.stage, m.epoch, m.loss, m.accuracy, m.valLoss, m.valAccuracy, m.lr, m.seconds)
      this.db
        .prepare(
          `UPDATE runs SET stage = ?,
             best_val_accuracy = MAX(COALESCE(best_val_accuracy, 0), COALESCE(?, 0)) WHERE id = ?`
        )
        .run(m.stage, m.valAccuracy, id)
    })()
  }

  addMark(id: number, mark: RunMark): void {
    this.db
      .prepare('INSERT INTO run_marks (run_id, kind, stage, epoch, text) VALUES (?, ?, ?, ?, ?)')
      .run(id, mark.kind, mark.stage, mark.epoch, mark.text)
  }

  addLog(id: number, line: string): void {
    this.db
      .prepare('INSERT INTO run_log (run_id, at, line) VALUES (?, ?, ?)')
      .run(id, new Date().toISOString(), line.slice(0, 2000))
  }

  /** Stores the job result: evaluation, model folder, and which engine ran each stage (kept when absent). */
  setResult(
    id: number,
    r: {
      evaluation: Evaluation | null
      modelDir: string
      bestValAccuracy: number | null
      stageBackends?: StageBackends
      modelOrigin?: ModelOrigin
    }
  ): void {
    this.db
      .prepare(
        `UPDATE runs SET evaluation_json = ?, evaluation_split = ?, evaluation_accuracy = ?, macro_f1 = ?,
           model_dir = ?, best_val_accuracy = COALESCE(?, best_val_accuracy),
           stage_backends_json = COALESCE(?, stage_backends_json), model_origin_json = COALESCE(?, model_origin_json)
         WHERE id = ?`
      )
      .run(
        r.evaluation ? JSON.stringify(r.evaluation) : null,
        r.evaluation?.split ?? null,
        r.evaluation?.accuracy ?? null,
        r.evaluation?.macroF1 ?? null,
        r.modelDir,
        r.bestValAccuracy,
        r.stageBackends ? JSON.stringify(r.stageBackends) : null,
        r.modelOrigin ? JSON.stringify(r.modelOrigin) : null,
        id
      )
  }

  /** Renames a run. */
  rename(id: number, name: string): RunSummary {
    this.row(id)
    this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(name, id)
    return this.get(id)
  }

  /** Sets the run's free-text note ('' clears it). */
  annotate(id: number, note: string): RunSummary {
    this.row(id)
    this.db.prepare('UPDATE runs SET note = ? WHERE id = ?').run(note, id)
    return this.get(id)
  }

  /**
   * Deletes the run's row; its epochs, marks and log go with it (ON DELETE CASCADE, foreign keys are on).
   * Refuses a run that is running or queued: its engine would keep writing to rows that no longer exist.
   */
  delete(id: number): void {
    const r = this.row(id)
    if (r.status === 'running' || r.status === 'queued') {
      throw new AppError('CONFLICT', `run ${id} ("${r.name}") is ${r.status}: cancel it before deleting it`)
    }
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id)
  }

  /**
   * Runs left `running` or `queued` by an app process that no longer exists (crash, kill, power loss) become
   * `interrupted`, so the UI offers resume. Runs owned by a live process (another app instance) are left alone.
   */
  markOrphansInterrupted(isAlive?: (pid: number) => boolean): number[] {
    const orphans = findOrphans(this.db, 'runs', ['running', 'queued'], isAlive)
    for (const id of orphans) {
      this.markInterrupted(
        id,
        'the app or its engine stopped while this run was in progress',
        'marked interrupted: the process running it is gone; resume continues from the last saved epoch'
      )
    }
    return orphans
  }

  /** A run whose engine was stopped from outside (app shutdown, lost process): resume stays possible. */
  markInterrupted(id: number, error: string, logLine: string): void {
    this.setStatus(id, 'interrupted', { error })
    this.addLog(id, logLine)
  }
}

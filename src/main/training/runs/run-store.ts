import type {
  BackboneInfo,
  EpochMetrics,
  Evaluation,
  RunDetail,
  RunMark,
  RunStatus,
  RunSummary,
  TrainingConfig
} from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'

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
  stage: 1 | 2 | null
  best_val_accuracy: number | null
  test_accuracy: number | null
  macro_f1: number | null
  evaluation_json: string | null
  model_dir: string | null
  note: string
  error: string | null
  duration_seconds: number
  created_at: string
  started_at: string | null
  finished_at: string | null
  host_pid: number | null
}

const SELECT = `SELECT r.*, d.name AS dataset_name, v.number AS version_number
  FROM runs r JOIN datasets d ON d.id = r.dataset_id JOIN dataset_versions v ON v.id = r.version_id`

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
    stage: r.stage,
    bestValAccuracy: r.best_val_accuracy,
    testAccuracy: r.test_accuracy,
    macroF1: r.macro_f1,
    durationSeconds: r.duration_seconds,
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

  setStatus(id: number, status: RunStatus, patch: { error?: string | null; hostPid?: number | null } = {}): void {
    const now = new Date().toISOString()
    const final = status === 'completed' || status === 'stopped' || status === 'failed' || status === 'interrupted'
    this.db
      .prepare(
        `UPDATE runs SET status = ?, error = ?,
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END,
           host_pid = ?
         WHERE id = ?`
      )
      .run(
        status,
        patch.error ?? null,
        status,
        now,
        final ? 1 : 0,
        now,
        final ? null : (patch.hostPid ?? process.pid),
        id
      )
  }

  setEngineInfo(id: number, backbone: BackboneInfo, backend: string): void {
    this.db
      .prepare('UPDATE runs SET backbone_json = ?, backend = ? WHERE id = ?')
      .run(JSON.stringify(backbone), backend, id)
  }

  /** Records one epoch (replacing it when a resumed run repeats it) and the running best val accuracy. */
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
          `UPDATE runs SET stage = ?, duration_seconds = duration_seconds + ?,
             best_val_accuracy = MAX(COALESCE(best_val_accuracy, 0), COALESCE(?, 0)) WHERE id = ?`
        )
        .run(m.stage, m.seconds, m.valAccuracy, id)
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

  setResult(id: number, r: { evaluation: Evaluation | null; modelDir: string; bestValAccuracy: number | null }): void {
    this.db
      .prepare(
        `UPDATE runs SET evaluation_json = ?, test_accuracy = ?, macro_f1 = ?, model_dir = ?,
           best_val_accuracy = COALESCE(?, best_val_accuracy) WHERE id = ?`
      )
      .run(
        r.evaluation ? JSON.stringify(r.evaluation) : null,
        r.evaluation?.accuracy ?? null,
        r.evaluation?.macroF1 ?? null,
        r.modelDir,
        r.bestValAccuracy,
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
  markOrphansInterrupted(isAlive: (pid: number) => boolean): number[] {
    const rows = this.db.prepare(`SELECT id, host_pid FROM runs WHERE status IN ('running', 'queued')`).all() as {
      id: number
      host_pid: number | null
    }[]
    const orphans = rows.filter((r) => r.host_pid === null || !isAlive(r.host_pid)).map((r) => r.id)
    for (const id of orphans) {
      this.setStatus(id, 'interrupted', { error: 'the app or its engine stopped while this run was in progress' })
      this.addLog(id, 'marked interrupted: the process running it is gone; resume continues from the last saved epoch')
    }
    return orphans
  }
}

/**
 * The catalog store of batch-classification jobs: every SQL statement on `inference_jobs`, `inference_results`
 * and `inference_failures` lives here, so a migration touches one file. It is over 300 lines because a result
 * row maps many DICOM-derived fields (identifiers, slice index and position, TTA spread, saliency grids); the
 * statements themselves are one job.
 */
import type { FailedInput, InferenceJobStatus, InferenceJobSummary, InferenceModelInfo } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import type { InputMeta } from '../input/input-meta'
import type { ClassifiedRow } from '../job'
import { findOrphans } from '../../engine/job-state'

interface JobRow {
  id: number
  name: string
  status: InferenceJobStatus
  run_id: number | null
  model_dir: string
  model_json: string
  folder: string
  low_confidence: number
  saliency: number
  tta: number
  volume_plane: 'axial' | 'coronal' | 'sagittal'
  total: number | null
  backend: string | null
  engine: string | null
  error: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  classified: number
  failed: number
}

/** A stored prediction: the input's metadata, its probabilities and its quantised Grad-CAM maps. */
export interface StoredResult extends InputMeta {
  id: number
  predictedIndex: number
  confidence: number
  probabilities: Float32Array
  /** Null in listings (see `results`); `hasCam` tells whether maps are stored. */
  cam: Uint8Array | null
  camScale: Float32Array | null
  camWidth: number
  camHeight: number
  hasCam: boolean
  /** Spread across test-time augmentations (see ClassifiedRow.uncertainty); null or absent without TTA. */
  uncertainty?: number | null
}

interface ResultRow {
  id: number
  path: string
  frame: number
  kind: InputMeta['kind']
  width: number
  height: number
  patient_id: string | null
  patient_name: string | null
  patient_birth_date: string | null
  study_uid: string | null
  study_date: string | null
  series_uid: string | null
  series_number: number | null
  series_description: string | null
  instance_number: number | null
  slice_position: number | null
  modality: string | null
  series_key: string
  series_label: string
  study_key: string
  patient_key: string
  predicted: number
  confidence: number
  probabilities: Buffer
  cam?: Buffer | null
  cam_scale?: Buffer | null
  cam_width: number
  cam_height: number
  has_cam: number
  uncertainty: number | null
}

const SELECT_JOB = `
  SELECT j.*,
    (SELECT COUNT(*) FROM inference_results r WHERE r.job_id = j.id) AS classified,
    (SELECT COUNT(*) FROM inference_failures f WHERE f.job_id = j.id) AS failed
  FROM inference_jobs j`

const LIST_COLUMNS = `id, path, frame, kind, width, height, patient_id, patient_name, patient_birth_date, study_uid,
  study_date, series_uid, series_number, series_description, instance_number, slice_position, modality, series_key, series_label,
  study_key, patient_key, predicted, confidence, probabilities, cam_width, cam_height, uncertainty`

/** Float32 values of a little-endian blob (copied, so the result is aligned). */
function floats(b: Buffer): Float32Array {
  const out = new Float32Array(b.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4)
  return out
}

function blob(a: Float32Array | Uint8Array): Buffer {
  if (a instanceof Uint8Array) return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const b = Buffer.alloc(a.length * 4)
  for (let i = 0; i < a.length; i++) b.writeFloatLE(a[i], i * 4)
  return b
}

function summary(r: JobRow): InferenceJobSummary {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    model: JSON.parse(r.model_json) as InferenceModelInfo,
    folder: r.folder,
    lowConfidenceThreshold: r.low_confidence,
    tta: r.tta === 1,
    volumePlane: r.volume_plane,
    total: r.total,
    classified: r.classified,
    failed: r.failed,
    backend: r.backend,
    engine: r.engine,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at
  }
}

function result(r: ResultRow): StoredResult {
  return {
    id: r.id,
    path: r.path,
    frame: r.frame,
    kind: r.kind,
    width: r.width,
    height: r.height,
    patientId: r.patient_id,
    patientName: r.patient_name,
    patientBirthDate: r.patient_birth_date,
    studyUid: r.study_uid,
    studyDate: r.study_date,
    seriesUid: r.series_uid,
    seriesNumber: r.series_number,
    seriesDescription: r.series_description,
    instanceNumber: r.instance_number,
    slicePosition: r.slice_position,
    modality: r.modality,
    seriesKey: r.series_key,
    seriesLabel: r.series_label,
    studyKey: r.study_key,
    patientKey: r.patient_key,
    predictedIndex: r.predicted,
    confidence: r.confidence,
    probabilities: floats(r.probabilities),
    cam: r.cam ? new Uint8Array(r.cam) : null,
    camScale: r.cam_scale ? floats(r.cam_scale) : null,
    camWidth: r.cam_width,
    camHeight: r.cam_height,
    hasCam: r.has_cam === 1,
    uncertainty: r.uncertainty ?? null
  }
}

/** argmax and max of a probability vector. */
export function topOne(p: ArrayLike<number>): { index: number; value: number } {
  let index = 0
  for (let i = 1; i < p.length; i++) if (p[i] > p[index]) index = i
  return { index, value: p.length ? p[index] : 0 }
}

/** Classification jobs in the catalog (migration 004): the job record, its results and its failures. */
export class InferenceStore {
  constructor(private readonly db: Catalog) {}

  create(job: {
    name: string
    runId: number | null
    model: InferenceModelInfo
    folder: string
    lowConfidence: number
    saliency: boolean
    /** Whether the job averages over test-time augmentations. */
    tta?: boolean
    /** The plane NIfTI volumes are sliced along; default axial. */
    volumePlane?: 'axial' | 'coronal' | 'sagittal'
  }): number {
    const res = this.db
      .prepare(
        `INSERT INTO inference_jobs (name, status, run_id, model_dir, model_json, folder, low_confidence, saliency, tta, volume_plane, created_at, started_at, host_pid)
         VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        job.name,
        job.runId,
        job.model.modelDir,
        JSON.stringify(job.model),
        job.folder,
        job.lowConfidence,
        job.saliency ? 1 : 0,
        job.tta ? 1 : 0,
        job.volumePlane ?? 'axial',
        new Date().toISOString(),
        new Date().toISOString(),
        process.pid
      )
    return Number(res.lastInsertRowid)
  }

  private row(id: number): JobRow {
    const row = this.db.prepare(`${SELECT_JOB} WHERE j.id = ?`).get(id) as JobRow | undefined
    if (!row) throw new AppError('NOT_FOUND', `classification job ${id} does not exist`)
    return row
  }

  get(id: number): InferenceJobSummary {
    return summary(this.row(id))
  }

  list(): InferenceJobSummary[] {
    return (this.db.prepare(`${SELECT_JOB} ORDER BY j.id DESC`).all() as JobRow[]).map(summary)
  }

  setTotal(id: number, total: number): void {
    this.db.prepare('UPDATE inference_jobs SET total = ? WHERE id = ?').run(total, id)
  }

  setEngine(id: number, backend: string, engine: string): void {
    this.db.prepare('UPDATE inference_jobs SET backend = ?, engine = ? WHERE id = ?').run(backend, engine, id)
  }

  /** Marks a job finished (any status but running) with an optional error. */
  finish(id: number, status: Exclude<InferenceJobStatus, 'running'>, error: string | null = null): void {
    this.db
      .prepare('UPDATE inference_jobs SET status = ?, error = ?, finished_at = ?, host_pid = NULL WHERE id = ?')
      .run(status, error, new Date().toISOString(), id)
  }

  /** Stores one batch's rows and failures in one transaction (a repeated path/frame replaces the earlier row). */
  addBatch(id: number, rows: readonly ClassifiedRow[], failures: readonly FailedInput[]): void {
    const insertRow = this.db.prepare(
      `INSERT OR REPLACE INTO inference_results (job_id, path, frame, kind, width, height, patient_id, patient_name,
         patient_birth_date, study_uid, study_date, series_uid, series_number, series_description, instance_number,
         slice_position, modality, series_key, series_label, study_key, patient_key, predicted, confidence,
         probabilities, cam, cam_scale, cam_width, cam_height, uncertainty)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    const insertFailure = this.db.prepare(
      'INSERT INTO inference_failures (job_id, path, frame, code, message) VALUES (?, ?, ?, ?, ?)'
    )
    this.db.transaction(() => {
      for (const r of rows) {
        const top = topOne(r.probabilities)
        insertRow.run(
          id,
          r.path,
          r.frame,
          r.kind,
          r.width,
          r.height,
          r.patientId,
          r.patientName,
          r.patientBirthDate,
          r.studyUid,
          r.studyDate,
          r.seriesUid,
          r.seriesNumber,
          r.seriesDescription,
          r.instanceNumber,
          r.slicePosition ?? null,
          r.modality,
          r.seriesKey,
          r.seriesLabel,
          r.studyKey,
          r.patientKey,
          top.index,
          top.value,
          blob(r.probabilities),
          r.cam ? blob(r.cam) : null,
          r.camScale ? blob(r.camScale) : null,
          r.camWidth,
          r.camHeight,
          r.uncertainty ?? null
        )
      }
      for (const f of failures) insertFailure.run(id, f.path, f.frame, f.code, f.message.slice(0, 2000))
    })()
  }

  /**
   * The job's results in display order (patient, series, instance number, path, frame), without the Grad-CAM
   * blobs (`cam` and `camScale` null; `hasCam` set): listings never need them, `result` reads them.
   */
  results(id: number): StoredResult[] {
    this.row(id)
    const rows = this.db
      .prepare(
        `SELECT ${LIST_COLUMNS}, cam IS NOT NULL AS has_cam FROM inference_results WHERE job_id = ?
         ORDER BY patient_key, series_key, COALESCE(instance_number, 9e18), path, frame`
      )
      .all(id) as ResultRow[]
    return rows.map(result)
  }

  result(resultId: number): { jobId: number; result: StoredResult } {
    const row = this.db
      .prepare('SELECT *, cam IS NOT NULL AS has_cam FROM inference_results WHERE id = ?')
      .get(resultId) as (ResultRow & { job_id: number }) | undefined
    if (!row) throw new AppError('NOT_FOUND', `classification result ${resultId} does not exist`)
    return { jobId: row.job_id, result: result(row) }
  }

  failures(id: number): FailedInput[] {
    return this.db
      .prepare('SELECT path, frame, code, message FROM inference_failures WHERE job_id = ? ORDER BY path, frame')
      .all(id) as FailedInput[]
  }

  delete(id: number): void {
    const job = this.row(id)
    if (job.status === 'running')
      throw new AppError('CONFLICT', `classification job ${id} is still running; cancel it first`)
    this.db.prepare('DELETE FROM inference_jobs WHERE id = ?').run(id)
  }

  /**
   * Jobs left `running` by an app process that no longer exists become `interrupted` (their results so far are
   * kept). Jobs owned by a live process (another app instance) are left alone.
   */
  markOrphansInterrupted(isAlive?: (pid: number) => boolean): number[] {
    const orphans = findOrphans(this.db, 'inference_jobs', ['running'], isAlive)
    for (const id of orphans) this.finish(id, 'interrupted', 'the app or its engine stopped while this job was running')
    return orphans
  }
}

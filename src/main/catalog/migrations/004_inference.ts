import type { Migration } from './types'

/**
 * Batch classification jobs (#7): one row per job (the model used, with its card summary, the folder, the
 * low-confidence threshold, status and timing), one row per classified image or DICOM frame (header fields for
 * grouping and export, probabilities and quantised Grad-CAM maps as little-endian blobs) and one row per file
 * or frame that could not be classified. Deleting a training run keeps the jobs that used its model.
 */
export const m004Inference: Migration = {
  version: 4,
  name: 'inference jobs',
  up(db) {
    db.exec(`
      CREATE TABLE inference_jobs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','completed','cancelled','failed','interrupted')),
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        model_dir TEXT NOT NULL,
        model_json TEXT NOT NULL,
        folder TEXT NOT NULL,
        low_confidence REAL NOT NULL,
        saliency INTEGER NOT NULL DEFAULT 1,
        total INTEGER,
        backend TEXT,
        engine TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- The app process that owns a running job; another process may only mark it interrupted once this one is gone.
        host_pid INTEGER
      );
      CREATE TABLE inference_results (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES inference_jobs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        frame INTEGER NOT NULL,
        kind TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        patient_id TEXT,
        patient_name TEXT,
        patient_birth_date TEXT,
        study_uid TEXT,
        study_date TEXT,
        series_uid TEXT,
        series_number INTEGER,
        series_description TEXT,
        instance_number INTEGER,
        modality TEXT,
        series_key TEXT NOT NULL,
        series_label TEXT NOT NULL,
        study_key TEXT NOT NULL,
        patient_key TEXT NOT NULL,
        predicted INTEGER NOT NULL,
        confidence REAL NOT NULL,
        probabilities BLOB NOT NULL,
        cam BLOB,
        cam_scale BLOB,
        cam_width INTEGER NOT NULL DEFAULT 0,
        cam_height INTEGER NOT NULL DEFAULT 0,
        UNIQUE (job_id, path, frame)
      );
      CREATE TABLE inference_failures (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES inference_jobs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        frame INTEGER,
        code TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX inference_failures_job ON inference_failures(job_id);
    `)
  }
}

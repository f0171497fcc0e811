import type { Migration } from './types'

/**
 * Training runs: one row per run with its config, the frozen dataset version it saw, backbone provenance,
 * backend and summary metrics; per-epoch metrics, curve marks and a log in child tables. Deleting a dataset
 * is refused while runs reference it (ON DELETE RESTRICT), so no run loses its record of what data it saw.
 */
export const m003Runs: Migration = {
  version: 3,
  name: 'training runs',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE RESTRICT,
        status TEXT NOT NULL CHECK (status IN ('queued','running','completed','stopped','failed','interrupted')),
        config_json TEXT NOT NULL,
        class_names_json TEXT NOT NULL,
        backbone_json TEXT,
        backend TEXT,
        stage INTEGER,
        best_val_accuracy REAL,
        test_accuracy REAL,
        macro_f1 REAL,
        evaluation_json TEXT,
        model_dir TEXT,
        note TEXT NOT NULL DEFAULT '',
        error TEXT,
        duration_seconds REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        -- The app process that owns a running run; another process may only mark it interrupted once this one is gone.
        host_pid INTEGER
      );
      CREATE INDEX runs_dataset ON runs(dataset_id);
      CREATE TABLE run_epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        stage INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        loss REAL NOT NULL,
        accuracy REAL NOT NULL,
        val_loss REAL,
        val_accuracy REAL,
        lr REAL NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY (run_id, stage, epoch)
      );
      CREATE TABLE run_marks (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        stage INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        text TEXT NOT NULL
      );
      CREATE INDEX run_marks_run ON run_marks(run_id);
      CREATE TABLE run_log (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        line TEXT NOT NULL
      );
      CREATE INDEX run_log_run ON run_log(run_id);
    `)
  }
}

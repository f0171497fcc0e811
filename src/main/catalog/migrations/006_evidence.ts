import type { Migration } from './types'

/**
 * Evidence (#14):
 * - `cv_studies`: a grouped, stratified k-fold cross-validation over one frozen dataset version, with its
 *   summary (per-fold metrics, mean ± SD, intervals) once finished.
 * - `cv_study_items`: each item's fold, frozen label, group key and, once its fold has run, its out-of-fold
 *   probabilities (JSON array in class order). The fold assignment is stored, not recomputed, so a resumed
 *   fold trains on exactly the same items.
 *   A 'seeds' study ("repeat with N seeds") instead trains the version's own split once per seed; it has runs
 *   but no items.
 * - `cv_study_runs`: the run that trained each fold (or seed) (an ordinary run; deleting it frees the fold).
 * - `external_evaluations`: a run's model evaluated on a folder outside the catalog, by name.
 */
export const m006Evidence: Migration = {
  version: 6,
  name: 'cross-validation studies, out-of-fold predictions, external evaluations',
  up(db) {
    db.exec(`
      CREATE TABLE cv_studies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE RESTRICT,
        -- 'cv': k-fold cross-validation (folds = k); 'seeds': the same split trained with n seeds (folds = n).
        kind TEXT NOT NULL DEFAULT 'cv' CHECK (kind IN ('cv','seeds')),
        folds INTEGER NOT NULL CHECK (folds >= 2),
        seed INTEGER NOT NULL,
        group_by_json TEXT NOT NULL,
        config_json TEXT NOT NULL,
        class_names_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','completed','stopped','failed','interrupted')),
        error TEXT,
        metrics_json TEXT,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        host_pid INTEGER
      );
      CREATE INDEX cv_studies_dataset ON cv_studies(dataset_id);
      CREATE TABLE cv_study_items (
        study_id INTEGER NOT NULL REFERENCES cv_studies(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL REFERENCES dataset_items(id) ON DELETE RESTRICT,
        fold INTEGER NOT NULL,
        label_index INTEGER NOT NULL,
        group_key TEXT NOT NULL,
        oof_probs_json TEXT,
        PRIMARY KEY (study_id, item_id)
      );
      CREATE TABLE cv_study_runs (
        study_id INTEGER NOT NULL REFERENCES cv_studies(id) ON DELETE CASCADE,
        fold INTEGER NOT NULL,
        run_id INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
        PRIMARY KEY (study_id, fold)
      );
      CREATE TABLE external_evaluations (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        folder TEXT NOT NULL,
        evaluation_json TEXT NOT NULL,
        skipped_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX external_evaluations_run ON external_evaluations(run_id);
    `)
  }
}

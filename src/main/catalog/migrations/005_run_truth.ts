import type { Migration } from './types'

/**
 * What a run record says must match what happened (#13):
 * - `test_accuracy` held the validation accuracy when a version had no test split. It becomes
 *   `evaluation_accuracy`, next to `evaluation_split` ('test' or 'val'), filled from the stored evaluation.
 * - `duration_seconds` summed epoch times only (no engine start, embedding, evaluation or saving), so a 28 s run
 *   showed 10 s. It becomes wall-clock time, accumulated per running period from `running_since`. Runs that were
 *   never resumed get started_at → finished_at; resumed ones keep their old figure (their idle gap is unknown).
 * - `verdict_json` holds the learning verdict (did not learn / overfit / learned) computed when a run ends.
 * - `inference_results.slice_position`: the slice's position along its normal (mm), so exported results map back
 *   to anatomy; rows classified before it stay null.
 */
export const m005RunTruth: Migration = {
  version: 5,
  name: 'run evaluation split, wall-clock duration, learning verdict; result slice position',
  up(db) {
    db.exec(`
      ALTER TABLE runs RENAME COLUMN test_accuracy TO evaluation_accuracy;
      ALTER TABLE runs ADD COLUMN evaluation_split TEXT CHECK (evaluation_split IN ('test','val'));
      ALTER TABLE runs ADD COLUMN verdict_json TEXT;
      ALTER TABLE runs ADD COLUMN running_since TEXT;
      UPDATE runs SET evaluation_split = json_extract(evaluation_json, '$.split')
        WHERE evaluation_json IS NOT NULL AND json_valid(evaluation_json);
      UPDATE runs SET duration_seconds = (julianday(finished_at) - julianday(started_at)) * 86400
        WHERE started_at IS NOT NULL AND finished_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM run_marks m WHERE m.run_id = runs.id AND m.kind = 'resume');
      UPDATE runs SET running_since = started_at WHERE status = 'running';
      ALTER TABLE inference_results ADD COLUMN slice_position REAL;
    `)
  }
}

import type { Migration } from './types'

/**
 * Test-time augmentation in batch classification (#14):
 * - `inference_jobs.tta`: 1 when the job averaged the probabilities over flips and shifts.
 * - `inference_results.uncertainty`: the spread (standard deviation, probability units) across augmentations
 *   of the chosen class's probability; null for jobs classified without TTA.
 * - `external_evaluations.tta`: 1 when the external evaluation classified with test-time augmentation.
 * Jobs that ran before stay `tta = 0` with null uncertainty: they were classified once, without augmentation.
 */
export const m009TtaUncertainty: Migration = {
  version: 9,
  name: 'classification test-time augmentation and per-image uncertainty',
  up(db) {
    db.exec(`
      ALTER TABLE inference_jobs ADD COLUMN tta INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE inference_results ADD COLUMN uncertainty REAL;
      ALTER TABLE external_evaluations ADD COLUMN tta INTEGER NOT NULL DEFAULT 0;
    `)
  }
}

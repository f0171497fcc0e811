import type { Migration } from './types'

/**
 * A run record states which engine ran each stage (#11): `backend` held only the tfjs backend the engine
 * selected, so a wasm run whose stage 2 trained on ONNX Runtime (or on the cpu backend) read as wasm.
 * - `stage_backends_json`: `{stage1, stage2}` from the job result ('ort' or a tfjs backend; null for a stage
 *   that did not run).
 * - `model_origin_json`: `{stage, weights}`, where the saved weights come from.
 * Runs that ended before stay null: what ran their stages was never recorded, and guessing would be wrong.
 */
export const m008StageBackends: Migration = {
  version: 8,
  name: 'run per-stage backends and model origin',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN stage_backends_json TEXT;
      ALTER TABLE runs ADD COLUMN model_origin_json TEXT;
    `)
  }
}

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import { InferenceStore } from '../../../src/main/inference/store/inference-store'
import type { Catalog } from '../../../src/main/catalog/open-catalog'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-mig9-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('migration 009 (test-time augmentation)', () => {
  it('upgrades a version-8 catalog holding a classification job: classified without TTA, no uncertainty', () => {
    const db = new Database(path.join(dir, 'catalog.sqlite'))
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS, 8)
    expect(schemaVersion(db)).toBe(8)
    const now = new Date().toISOString()
    const jobId = Number(
      db
        .prepare(
          `INSERT INTO inference_jobs (name, status, model_dir, model_json, folder, low_confidence, saliency, created_at)
           VALUES ('old', 'completed', '/m', ?, '/f', 0.6, 0, ?)`
        )
        .run(JSON.stringify({ modelDir: '/m', name: 'm', classNames: ['a', 'b'] }), now).lastInsertRowid
    )
    const probs = Buffer.alloc(8)
    probs.writeFloatLE(0.25, 0)
    probs.writeFloatLE(0.75, 4)
    db.prepare(
      `INSERT INTO inference_results (job_id, path, frame, kind, width, height, series_key, series_label, study_key,
         patient_key, predicted, confidence, probabilities, cam_width, cam_height)
       VALUES (?, '/f/x.png', 0, 'png', 4, 4, 's', 's', 's', 'p', 1, 0.75, ?, 0, 0)`
    ).run(jobId, probs)

    expect(migrate(db, MIGRATIONS, 9)).toEqual({ from: 8, to: 9 })
    const store = new InferenceStore(db as unknown as Catalog)
    expect(store.get(jobId).tta).toBe(false)
    const [r] = store.results(jobId)
    expect(r.uncertainty).toBeNull()
    expect(Array.from(r.probabilities)).toEqual([0.25, 0.75])
    const ext = db.prepare('PRAGMA table_info(external_evaluations)').all() as { name: string; dflt_value: unknown }[]
    expect(ext.find((c) => c.name === 'tta')?.dflt_value).toBe('0')
    db.close()
  })
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import type { Catalog } from '../../../src/main/catalog/open-catalog'
import { InferenceStore } from '../../../src/main/inference/store/inference-store'
import { StartInferenceRequest } from '../../../src/shared/contract/inference/jobs'
import type { InferenceModelInfo } from '../../../src/shared/contract'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-mig10-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

// Only what the store writes and reads back matters here; the rest of the card is not looked at.
const model = { modelDir: '/m', name: 'm', classNames: ['a', 'b'] } as unknown as InferenceModelInfo

describe('classification volume plane (migration 010)', () => {
  it('upgrades a version-9 catalog: earlier jobs classified volumes axially; new jobs keep their plane', () => {
    const db = new Database(path.join(dir, 'catalog.sqlite'))
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS, 9)
    const old = Number(
      db
        .prepare(
          `INSERT INTO inference_jobs (name, status, model_dir, model_json, folder, low_confidence, saliency, created_at)
           VALUES ('old', 'completed', '/m', ?, '/f', 0.6, 0, ?)`
        )
        .run(JSON.stringify(model), new Date().toISOString()).lastInsertRowid
    )
    expect(migrate(db, MIGRATIONS, 10)).toEqual({ from: 9, to: 10 })
    expect(schemaVersion(db)).toBe(10)
    const store = new InferenceStore(db as unknown as Catalog)
    expect(store.get(old).volumePlane).toBe('axial')
    const base = { name: 'n', runId: null, model, folder: '/f', lowConfidence: 0.6, saliency: false }
    expect(store.get(store.create({ ...base, volumePlane: 'coronal' })).volumePlane).toBe('coronal')
    expect(store.get(store.create(base)).volumePlane).toBe('axial')
    db.close()
  })

  it('the start request takes axial, coronal or sagittal and nothing else', () => {
    const req = { folder: '/data/p', modelDir: '/m' }
    expect(StartInferenceRequest.parse({ ...req, volumePlane: 'sagittal' }).volumePlane).toBe('sagittal')
    expect(StartInferenceRequest.parse(req).volumePlane).toBeUndefined()
    expect(StartInferenceRequest.safeParse({ ...req, volumePlane: 'oblique' }).success).toBe(false)
  })
})

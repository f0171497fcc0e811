import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import { openCatalog } from '../../../src/main/catalog/open-catalog'
import { createCore, type Core } from '../../../src/main/services'
import { RunStore } from '../../../src/main/training/runs/run-store'
import { builtEngine } from '../../helpers/engine'
import { importDataset, TWO_STAGE_RUN_CONFIG } from '../../helpers/import-dataset'
import { writeSeparableDataset } from './fixtures'

/**
 * #11 item 4: a run record states which engine ran each stage. Runs a real engine process through the
 * training service (stage 1 on embeddings, stage 2 with the seed's top 30 layers, both on ONNX Runtime here)
 * and checks the catalog, the run list, the report and the migration that added the columns.
 */
let dir = ''
let core: Core
let api: Api
let datasetId = 0
const events: RunEvent[] = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-stage-backends-'))
  await writeSeparableDataset(path.join(dir, 'data'), 8)
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.training.onRunEvent((e) => events.push(e))
  datasetId = (await importDataset(api, 'toy', path.join(dir, 'data'))).id
  await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
}, 120_000)
afterAll(() => {
  core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

function finished(runId: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (events.some((x) => x.runId === runId && x.type === 'status' && x.status !== 'running')) resolve()
      else setTimeout(check, 50)
    }
    check()
  })
}

describe('the run record names the engine of each stage', () => {
  it('records ort for both stages and the model origin, in the run, the list and the report', async () => {
    const run = await api.training.startRun({
      datasetId,
      name: 'both on ort',
      config: TWO_STAGE_RUN_CONFIG
    })
    await finished(run.id)
    const detail = await api.training.getRun({ runId: run.id })
    expect(detail.status).toBe('completed')
    expect(detail.stageBackends).toEqual({ stage1: 'ort', stage2: 'ort' })
    expect(detail.modelOrigin).toEqual({ stage: 2, weights: 'last-epoch' })
    const listed = (await api.training.listRuns({})).find((r) => r.id === run.id)!
    expect(listed.stageBackends).toEqual({ stage1: 'ort', stage2: 'ort' })
    const report = await api.training.exportReport({ runId: run.id })
    expect(report.html).toContain('stage 1 ONNX Runtime · stage 2 ONNX Runtime')
    expect(report.html).toContain('the saved weights are stage 2, last epoch')
    expect(report.html).not.toContain('stage 2 on the cpu backend')
  }, 300_000)
})

describe('migration 008', () => {
  it('upgrades a version-7 catalog with runs: old runs keep every field and have no per-stage record', () => {
    const file = path.join(dir, 'v7.sqlite')
    const db = new Database(file)
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS, 7)
    const now = '2026-12-07T05:00:00.000Z'
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES (1, 'mri', ?, ?)").run(now, now)
    db.prepare(
      `INSERT INTO dataset_versions (id, dataset_id, number, note, created_at, classes_json, counts_json, items, excluded, fingerprint)
       VALUES (1, 1, 1, '', ?, '["a","b"]', '{}', 10, 0, 'f')`
    ).run(now)
    db.prepare(
      `INSERT INTO runs (id, name, dataset_id, version_id, status, config_json, class_names_json, backend,
         evaluation_accuracy, evaluation_split, duration_seconds, created_at)
       VALUES (1, 'old wasm run', 1, 1, 'completed', '{"backbone":{"kind":"nsfwjs"}}', '["a","b"]', 'wasm', 0.8, 'test', 12, ?)`
    ).run(now)
    db.close()

    const cat = openCatalog(file)
    expect(schemaVersion(cat)).toBe(MIGRATIONS.length)
    const store = new RunStore(cat)
    const old = store.get(1)
    expect(old).toMatchObject({ name: 'old wasm run', backend: 'wasm', evaluationAccuracy: 0.8, durationSeconds: 12 })
    expect(old.stageBackends).toBeNull()
    expect(old.modelOrigin).toBeNull()
    store.setResult(1, {
      evaluation: null,
      modelDir: '/m',
      bestValAccuracy: null,
      stageBackends: { stage1: 'ort', stage2: 'cpu' },
      modelOrigin: { stage: 2, weights: 'best-checkpoint' }
    })
    expect(store.get(1).stageBackends).toEqual({ stage1: 'ort', stage2: 'cpu' })
    // A result without the fields (an older engine) keeps what is recorded.
    store.setResult(1, { evaluation: null, modelDir: '/m', bestValAccuracy: null })
    expect(store.detail(1).modelOrigin).toEqual({ stage: 2, weights: 'best-checkpoint' })
    cat.close()
  })
})

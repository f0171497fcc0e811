import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import { openCatalog } from '../../../src/main/catalog/open-catalog'
import { RunStore } from '../../../src/main/training/runs/run-store'
import { SEED_RECIPE } from '../../../src/shared/contract/training-config'

const dirs: string[] = []
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'np-truth-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const NOW = '2026-12-07T05:00:00.000Z'
const CONFIG = JSON.stringify({ backbone: { kind: 'nsfwjs' } })

/** A catalog at version 2 holding one dataset with a frozen version (what runs reference). */
function catalogAtV2(file: string): Database.Database {
  const db = new Database(file)
  db.pragma('foreign_keys = ON')
  migrate(db, MIGRATIONS, 2)
  db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES (1, 'mri', ?, ?)").run(NOW, NOW)
  db.prepare(
    `INSERT INTO dataset_versions (id, dataset_id, number, note, created_at, classes_json, counts_json, items, excluded, fingerprint)
     VALUES (1, 1, 1, '', ?, '["a","b","c"]', '{}', 90, 0, 'f')`
  ).run(NOW)
  return db
}

describe('migrations 003–005 upgrade a catalog that holds runs and jobs', () => {
  it('keeps every run, epoch, mark, log line and job row, and fixes the evaluation split and durations', () => {
    const file = path.join(tmp(), 'catalog.sqlite')
    const db = catalogAtV2(file)
    migrate(db, MIGRATIONS, 3)
    const insertRun = db.prepare(
      `INSERT INTO runs (id, name, dataset_id, version_id, status, config_json, class_names_json, test_accuracy, macro_f1,
         evaluation_json, duration_seconds, created_at, started_at, finished_at)
       VALUES (?, ?, 1, 1, ?, ?, '["a","b","c"]', ?, ?, ?, ?, ?, ?, ?)`
    )
    // Run 1: the report: "duration 10 s" (epoch seconds) next to 05:51:03 → 05:51:32; no test split.
    insertRun.run(
      1,
      'no test split',
      'completed',
      CONFIG,
      0.787,
      0.7,
      JSON.stringify({ split: 'val', accuracy: 0.787 }),
      10,
      NOW,
      '2026-12-07T05:51:03.000Z',
      '2026-12-07T05:51:32.000Z'
    )
    // Run 2: resumed once, so its start → finish includes an idle gap: its figure is kept.
    insertRun.run(
      2,
      'resumed',
      'completed',
      CONFIG,
      0.9,
      0.88,
      JSON.stringify({ split: 'test', accuracy: 0.9 }),
      40,
      NOW,
      '2026-12-07T04:00:00.000Z',
      '2026-12-07T06:00:00.000Z'
    )
    // Run 3: still running (a crashed app): it gets a running period from its start.
    insertRun.run(3, 'running', 'running', CONFIG, null, null, null, 0, NOW, '2026-12-07T05:59:00.000Z', null)
    const epoch = db.prepare('INSERT INTO run_epochs VALUES (?, 1, ?, 1, 0.5, 1, 0.4, 0.001, 5)')
    for (const [run, e] of [
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
      [2, 2]
    ])
      epoch.run(run, e)
    db.prepare("INSERT INTO run_marks (run_id, kind, stage, epoch, text) VALUES (2, 'resume', 1, 1, 'resumed')").run()
    db.prepare("INSERT INTO run_marks (run_id, kind, stage, epoch, text) VALUES (1, 'stage', 1, 0, 'Stage 1')").run()
    db.prepare("INSERT INTO run_log (run_id, at, line) VALUES (1, ?, 'starting')").run(NOW)

    migrate(db, MIGRATIONS, 4)
    db.prepare(
      `INSERT INTO inference_jobs (id, name, status, run_id, model_dir, model_json, folder, low_confidence, created_at)
       VALUES (1, 'job', 'completed', 1, '/ws/models/run-1/model', '{}', '/data/p1', 0.6, ?)`
    ).run(NOW)
    db.prepare(
      `INSERT INTO inference_results (job_id, path, frame, kind, width, height, patient_id, series_key, series_label,
         study_key, patient_key, predicted, confidence, probabilities)
       VALUES (1, '/data/p1/a.dcm', 0, 'dicom', 8, 8, 'P1', 's', 'S', 'st', 'p', 1, 0.9, x'00')`
    ).run()
    db.prepare(
      "INSERT INTO inference_failures (job_id, path, code, message) VALUES (1, '/data/p1/b.dcm', 'CORRUPT', 'bad')"
    ).run()

    const res = migrate(db)
    expect(res).toEqual({ from: 4, to: MIGRATIONS.length })
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')

    const runs = db
      .prepare(
        'SELECT id, evaluation_accuracy, evaluation_split, macro_f1, duration_seconds, running_since FROM runs ORDER BY id'
      )
      .all()
    expect(runs).toEqual([
      {
        id: 1,
        evaluation_accuracy: 0.787,
        evaluation_split: 'val',
        macro_f1: 0.7,
        duration_seconds: expect.closeTo(29, 3),
        running_since: null
      },
      {
        id: 2,
        evaluation_accuracy: 0.9,
        evaluation_split: 'test',
        macro_f1: 0.88,
        duration_seconds: 40,
        running_since: null
      },
      {
        id: 3,
        evaluation_accuracy: null,
        evaluation_split: null,
        macro_f1: null,
        duration_seconds: 0,
        running_since: '2026-12-07T05:59:00.000Z'
      }
    ])
    expect(db.prepare('SELECT run_id, COUNT(*) AS n FROM run_epochs GROUP BY run_id').all()).toEqual([
      { run_id: 1, n: 2 },
      { run_id: 2, n: 3 }
    ])
    expect(db.prepare('SELECT COUNT(*) AS n FROM run_marks').get()).toEqual({ n: 2 })
    expect(db.prepare('SELECT line FROM run_log').all()).toEqual([{ line: 'starting' }])
    expect(db.prepare('SELECT run_id, model_dir, folder FROM inference_jobs').get()).toEqual({
      run_id: 1,
      model_dir: '/ws/models/run-1/model',
      folder: '/data/p1'
    })
    expect(db.prepare('SELECT patient_id, confidence FROM inference_results').get()).toEqual({
      patient_id: 'P1',
      confidence: 0.9
    })
    expect(db.prepare('SELECT COUNT(*) AS n FROM inference_failures').get()).toEqual({ n: 1 })
    db.close()

    // The store reads the upgraded rows: no validation figure is called a test figure.
    const cat = openCatalog(file)
    expect(schemaVersion(cat)).toBe(MIGRATIONS.length)
    const store = new RunStore(cat)
    const r1 = store.get(1)
    expect(r1).toMatchObject({ evaluationSplit: 'val', evaluationAccuracy: 0.787, verdict: null })
    expect(r1.durationSeconds).toBeCloseTo(29, 3)
    expect(r1).not.toHaveProperty('testAccuracy')
    expect(store.detail(2).epochs).toHaveLength(3)
    cat.close()
  })
})

describe('run duration is wall-clock time', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('counts engine start, embedding and evaluation (not only epoch seconds), and only the time a resumed run ran', async () => {
    const db = openCatalog(path.join(tmp(), 'catalog.sqlite'))
    db.prepare("INSERT INTO datasets (id, name, created_at, updated_at) VALUES (1, 'mri', ?, ?)").run(NOW, NOW)
    db.prepare(
      `INSERT INTO dataset_versions (id, dataset_id, number, note, created_at, classes_json, counts_json, items, excluded, fingerprint)
       VALUES (1, 1, 1, '', ?, '["a","b"]', '{}', 4, 0, 'f')`
    ).run(NOW)
    const store = new RunStore(db)
    const id = store.create({ name: 'r', datasetId: 1, versionId: 1, config: SEED_RECIPE, classNames: ['a', 'b'] })
    const t0 = Date.now()
    store.setStatus(id, 'running')
    await sleep(700) // engine start and embedding: no epoch yet
    store.addEpoch(id, {
      stage: 1,
      epoch: 0,
      loss: 1,
      accuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      lr: 1e-3,
      seconds: 0.1
    })
    const midway = store.get(id).durationSeconds
    expect(midway).toBeGreaterThan(0.6) // a running run shows the time so far
    await sleep(500) // evaluation and saving
    store.setStatus(id, 'completed')
    const wall1 = (Date.now() - t0) / 1000
    const first = store.get(id)
    expect(first.durationSeconds).toBeGreaterThan(1.1)
    expect(first.durationSeconds).toBeLessThanOrEqual(wall1 + 0.05)
    expect(first.durationSeconds).toBeCloseTo((Date.parse(first.finishedAt!) - Date.parse(first.startedAt!)) / 1000, 1)

    await sleep(600) // stopped: idle time does not count
    const t1 = Date.now()
    store.setStatus(id, 'running')
    await sleep(400)
    store.setStatus(id, 'stopped')
    const wall2 = (Date.now() - t1) / 1000
    const second = store.get(id)
    expect(second.durationSeconds - first.durationSeconds).toBeGreaterThan(0.35)
    expect(second.durationSeconds - first.durationSeconds).toBeLessThanOrEqual(wall2 + 0.05)
    expect(second.durationSeconds).toBeLessThan((Date.parse(second.finishedAt!) - Date.parse(second.startedAt!)) / 1000)
    db.close()
  })
})

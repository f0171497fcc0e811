import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-mig6-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('migration 006 (evidence)', () => {
  it('upgrades a version-5 catalog holding a dataset and a run, and ties studies and external evaluations to them', () => {
    const db = new Database(path.join(dir, 'catalog.sqlite'))
    db.pragma('foreign_keys = ON')
    migrate(db, MIGRATIONS, 5)
    const now = new Date().toISOString()
    // The smallest real rows the new tables reference, written through the version-5 schema.
    const cols = (t: string) =>
      db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; notnull: number; dflt_value: unknown }[]
    const insert = (table: string, values: Record<string, unknown>) => {
      const required = cols(table).filter((c) => c.notnull && c.dflt_value === null && c.name !== 'id')
      const row: Record<string, unknown> = {}
      for (const c of required)
        row[c.name] = values[c.name] ?? (c.name.endsWith('_at') ? now : c.name.endsWith('_id') ? 1 : 'x')
      Object.assign(row, values)
      const keys = Object.keys(row)
      return Number(
        db
          .prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
          .run(...keys.map((k) => row[k])).lastInsertRowid
      )
    }
    expect(schemaVersion(db)).toBe(5)
    const datasetId = insert('datasets', { name: 'd' })
    db.pragma('foreign_keys = OFF')
    const itemId = insert('dataset_items', {
      dataset_id: datasetId,
      kind: 'png',
      width: 1,
      height: 1,
      frames: 1,
      size: 1
    })
    const versionId = insert('dataset_versions', { dataset_id: datasetId, number: 1 })
    const runId = insert('runs', { dataset_id: datasetId, version_id: versionId, status: 'completed' })
    db.pragma('foreign_keys = ON')

    expect(migrate(db, MIGRATIONS, 6)).toEqual({ from: 5, to: 6 })
    const studyId = Number(
      db
        .prepare(
          `INSERT INTO cv_studies (name, dataset_id, version_id, folds, seed, group_by_json, config_json, class_names_json, status, created_at)
           VALUES ('s', ?, ?, 5, 0, '{}', '{}', '[]', 'running', ?)`
        )
        .run(datasetId, versionId, now).lastInsertRowid
    )
    db.prepare(
      "INSERT INTO cv_study_items (study_id, item_id, fold, label_index, group_key) VALUES (?, ?, 0, 0, 'g0')"
    ).run(studyId, itemId)
    db.prepare('INSERT INTO cv_study_runs (study_id, fold, run_id) VALUES (?, 0, ?)').run(studyId, runId)
    db.prepare(
      "INSERT INTO external_evaluations (run_id, name, folder, evaluation_json, skipped_json, created_at) VALUES (?, 'site B', '/x', '{}', '{}', ?)"
    ).run(runId, now)
    expect(() =>
      db
        .prepare(
          "INSERT INTO cv_studies (name, dataset_id, version_id, folds, seed, group_by_json, config_json, class_names_json, status, created_at) VALUES ('bad', ?, ?, 1, 0, '{}', '{}', '[]', 'running', ?)"
        )
        .run(datasetId, versionId, now)
    ).toThrow(/CHECK/)
    // Deleting a run frees its fold and drops its external evaluations; the dataset cannot go while a study uses it.
    db.prepare('DELETE FROM runs WHERE id = ?').run(runId)
    expect(db.prepare('SELECT COUNT(*) AS n FROM cv_study_runs').get()).toEqual({ n: 0 })
    expect(db.prepare('SELECT COUNT(*) AS n FROM external_evaluations').get()).toEqual({ n: 0 })
    expect(() => db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId)).toThrow(/FOREIGN KEY/)
    for (const t of ['cv_studies', 'cv_study_items', 'cv_study_runs', 'external_evaluations'])
      expect(db.pragma(`foreign_key_check(${t})`)).toEqual([])
    db.close()
  })
})

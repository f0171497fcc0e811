import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

const NOW = '2026-12-07T07:00:00.000Z'
const V7 = MIGRATIONS.findIndex((m) => m.name === 'dataset items per frame and volume slice') + 1

/** A catalog at the version before 007 holding items with tags, a frozen version and a CV study row. */
function catalogBefore(): Database.Database {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-m007-'))
  dirs.push(dir)
  const db = new Database(path.join(dir, 'catalog.sqlite'))
  db.pragma('foreign_keys = ON')
  migrate(db, MIGRATIONS, V7 - 1)
  db.exec(`
    INSERT INTO datasets (id, name, created_at, updated_at) VALUES (1, 'mri', '${NOW}', '${NOW}');
    INSERT INTO dataset_classes (id, dataset_id, name, created_at) VALUES (1, 1, 'normal', '${NOW}'), (2, 1, 'tumor', '${NOW}');
    INSERT INTO dataset_imports (id, dataset_id, root, started_at, finished_at, seen, imported, updated, skipped, ignored,
      failed, conflicts) VALUES ('imp-1', 1, '/data', '${NOW}', '${NOW}', 3, 3, 0, 0, 0, 0, 0);
  `)
  const item = db.prepare(
    `INSERT INTO dataset_items (id, dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size, mtime_ms,
       kind, width, height, frames, patient_id, split, excluded, note, created_at)
     VALUES (?, 1, ?, ?, ?, ?, 'imp-1', ?, 100, 1, ?, 64, 64, ?, ?, ?, ?, ?, ?)`
  )
  item.run(11, 1, 'normal', '/data/normal/a.png', 'normal/a.png', 'a'.repeat(64), 'png', 1, null, 'train', 0, 'ok', NOW)
  item.run(12, 2, 'tumor', '/data/tumor/b.dcm', 'tumor/b.dcm', 'b'.repeat(64), 'dicom', 1, 'P1', 'val', 0, null, NOW)
  item.run(13, 2, 'tumor', '/data/tumor/mf.dcm', 'tumor/mf.dcm', 'c'.repeat(64), 'dicom', 4, 'P2', null, 1, null, NOW)
  db.exec(`
    INSERT INTO dataset_item_tags (item_id, tag) VALUES (11, 'reviewed'), (13, 'motion');
    INSERT INTO dataset_versions (id, dataset_id, number, note, created_at, classes_json, counts_json, items, excluded,
      fingerprint) VALUES (1, 1, 1, '', '${NOW}', '["normal","tumor"]', '{}', 3, 1, 'f');
    INSERT INTO dataset_version_items (version_id, item_id, label, label_index, split, excluded, sha256)
      VALUES (1, 11, 'normal', 0, 'train', 0, '${'a'.repeat(64)}'), (1, 12, 'tumor', 1, 'val', 0, '${'b'.repeat(64)}');
  `)
  return db
}

describe('migration 007 (dataset items per frame and volume slice)', () => {
  it('upgrades a catalog holding items: keeps ids, rows, tags and version references; items become frame 0', () => {
    const db = catalogBefore()
    const before = db.prepare('SELECT * FROM dataset_items ORDER BY id').all() as Record<string, unknown>[]
    const tagsBefore = db.prepare('SELECT * FROM dataset_item_tags ORDER BY item_id, tag').all()
    const versionBefore = db.prepare('SELECT * FROM dataset_version_items ORDER BY item_id').all()
    expect(before).toHaveLength(3)

    migrate(db)
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(V7)
    const after = db.prepare('SELECT * FROM dataset_items ORDER BY id').all() as Record<string, unknown>[]
    expect(after.map((r) => ({ ...r, frame: undefined, plane: undefined, group_key: undefined }))).toEqual(
      before.map((r) => ({ ...r, frame: undefined, plane: undefined, group_key: undefined }))
    )
    expect(after.map((r) => [r.frame, r.plane, r.group_key])).toEqual(Array(3).fill([0, null, null]))
    expect(db.prepare('SELECT * FROM dataset_item_tags ORDER BY item_id, tag').all()).toEqual(tagsBefore)
    expect(db.prepare('SELECT * FROM dataset_version_items ORDER BY item_id').all()).toEqual(versionBefore)
    // Foreign keys are back on and still point at the rebuilt table.
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('foreign_key_check')).toEqual([])
    expect(() => db.prepare('DELETE FROM dataset_items WHERE id = 11').run()).toThrow(/FOREIGN KEY/)
    db.prepare('DELETE FROM dataset_version_items').run()
    db.prepare('DELETE FROM dataset_items WHERE id = 11').run()
    expect(db.prepare('SELECT COUNT(*) AS n FROM dataset_item_tags WHERE item_id = 11').get()).toEqual({ n: 0 })
    const indexes = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'dataset_items'").all() as {
        name: string
      }[]
    ).map((r) => r.name)
    expect(indexes).toEqual(
      expect.arrayContaining(['dataset_items_by_sha', 'dataset_items_by_class', 'dataset_items_by_group'])
    )
  })

  it('takes one row per frame of a file and volume slices of kind nifti, and still refuses a repeated frame', () => {
    const db = catalogBefore()
    migrate(db)
    const add = db.prepare(
      `INSERT INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size, mtime_ms,
         kind, width, height, frames, frame, plane, group_key, created_at)
       VALUES (1, 2, 'tumor', ?, ?, 'imp-1', ?, 1, 1, ?, 8, 8, 4, ?, ?, ?, ?)`
    )
    for (const f of [1, 2, 3])
      add.run('/data/tumor/mf.dcm', 'tumor/mf.dcm', `${f}`.repeat(64), 'dicom', f, null, 'file:tumor/mf.dcm', NOW)
    add.run('/data/tumor/v.nii.gz', 'tumor/v.nii.gz', 'e'.repeat(64), 'nifti', 0, 'axial', 'volume:tumor/v.nii.gz', NOW)
    expect(() => add.run('/data/tumor/mf.dcm', 'tumor/mf.dcm', 'f'.repeat(64), 'dicom', 2, null, null, NOW)).toThrow(
      /UNIQUE/
    )
    expect(() => add.run('/data/x.nii', 'x.nii', 'g'.repeat(64), 'nifti', 0, 'oblique', null, NOW)).toThrow(/CHECK/)
    expect(() => add.run('/data/x.tif', 'x.tif', 'g'.repeat(64), 'tiff', 0, null, null, NOW)).toThrow(/CHECK/)
    const staged = db.prepare('SELECT frame, plane, group_key FROM dataset_import_staging').all()
    expect(staged).toEqual([])
  })
})

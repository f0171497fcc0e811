import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import { Workspace } from '../../../src/main/workspace/workspace'
import { createDataset, addClass, listClasses } from '../../../src/main/datasets'
import { tempDir } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

describe('migration 002 datasets', () => {
  it('upgrades a version-1 catalog holding data, keeps the data, and the new tables work', () => {
    const { dir, cleanup } = tempDir('mig')
    cleanups.push(cleanup)
    const file = path.join(dir, 'catalog.sqlite')
    const v1 = new Database(file)
    migrate(v1, MIGRATIONS, 1)
    v1.prepare("INSERT INTO workspace (id, created_at, app_version) VALUES (1, '2026-01-01T00:00:00Z', '0.0.9')").run()
    v1.prepare("INSERT INTO settings VALUES ('viewer.invert', 'true', '2026-01-01T00:00:00Z')").run()
    expect(schemaVersion(v1)).toBe(1)
    v1.close()

    const ws = Workspace.open(dir)
    cleanups.push(() => ws.close())
    expect(ws.schemaVersion).toBeGreaterThanOrEqual(2)
    expect(ws.settings.get('viewer.invert')?.value).toBe(true)
    expect(ws.db.prepare('SELECT app_version FROM workspace').get()).toEqual({ app_version: '0.0.9' })
    const ds = createDataset(ws.db, 'upgraded')
    addClass(ws.db, ds.id, 'tumor')
    expect(listClasses(ws.db, ds.id).map((c) => c.name)).toEqual(['tumor'])
    // Items must reference an existing class and import: foreign keys are enforced.
    expect(() =>
      ws.db
        .prepare(
          `INSERT INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size, mtime_ms,
             kind, width, height, frames, created_at) VALUES (?, 999, 'x', '/x', 'x', 'nope', 'h', 1, 1, 'png', 1, 1, 1, 'now')`
        )
        .run(ds.id)
    ).toThrow(/FOREIGN KEY/)
    const plan = ws.db
      .prepare("EXPLAIN QUERY PLAN SELECT id FROM dataset_items WHERE dataset_id = 1 AND sha256 = 'x'")
      .all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING (COVERING )?INDEX dataset_items_by_sha/)
  })
})

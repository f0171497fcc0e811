import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, schemaVersion } from '../../../src/main/catalog/migrate'
import { MIGRATIONS } from '../../../src/main/catalog/migrations'
import { openCatalog } from '../../../src/main/catalog/open-catalog'
import { Workspace } from '../../../src/main/workspace/workspace'
import { resolveWorkspaceDir } from '../../../src/main/workspace/resolve-dir'

const dirs: string[] = []
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'np-mig-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

describe('migrations', () => {
  it('are numbered 1..n', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1))
  })

  // One case per migration: build the catalog at the previous version on a real file, then upgrade.
  for (const m of MIGRATIONS) {
    it(`${String(m.version).padStart(3, '0')} ${m.name} upgrades from version ${m.version - 1}`, () => {
      const file = path.join(tmp(), 'catalog.sqlite')
      const db = new Database(file)
      migrate(db, MIGRATIONS, m.version - 1)
      expect(schemaVersion(db)).toBe(m.version - 1)
      const before = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().length
      const res = migrate(db, MIGRATIONS, m.version)
      expect(res).toEqual({ from: m.version - 1, to: m.version })
      expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().length).toBeGreaterThanOrEqual(
        before
      )
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])
      db.close()
    })
  }

  it('opens with WAL and foreign keys, keeps data across reopen, and is idempotent', () => {
    const file = path.join(tmp(), 'catalog.sqlite')
    let db = openCatalog(file)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    db.prepare("INSERT INTO settings VALUES ('k', '1', 'now')").run()
    db.close()
    db = openCatalog(file)
    expect(schemaVersion(db)).toBe(MIGRATIONS.length)
    expect(db.prepare('SELECT value_json FROM settings').get()).toEqual({ value_json: '1' })
    db.close()
  })

  it('refuses a catalog from a newer build and a file that is not SQLite', () => {
    const d = tmp()
    const newer = new Database(path.join(d, 'newer.sqlite'))
    newer.pragma(`user_version = ${MIGRATIONS.length + 5}`)
    newer.close()
    expect(() => openCatalog(path.join(d, 'newer.sqlite'))).toThrow(/newer than this build supports/)
    fs.writeFileSync(path.join(d, 'junk.sqlite'), 'this is not a database, just text '.repeat(200))
    expect(() => openCatalog(path.join(d, 'junk.sqlite'))).toThrow(/junk\.sqlite/)
  })
})

describe('workspace', () => {
  it('creates the folder layout and records itself', () => {
    const dir = path.join(tmp(), 'ws')
    const ws = Workspace.open(dir)
    for (const sub of ['catalog.sqlite', 'models', 'cache', 'exports'])
      expect(fs.existsSync(path.join(dir, sub))).toBe(true)
    expect(ws.db.prepare('SELECT COUNT(*) n FROM workspace').get()).toEqual({ n: 1 })
    ws.close()
  })

  it('resolves --workspace over NEUROPATH_WORKSPACE over the default', () => {
    expect(resolveWorkspaceDir({ flag: '/a', env: { NEUROPATH_WORKSPACE: '/b' } })).toBe('/a')
    expect(resolveWorkspaceDir({ env: { NEUROPATH_WORKSPACE: '/b' } })).toBe('/b')
    expect(resolveWorkspaceDir({ env: {}, fallback: '/c' })).toBe('/c')
    expect(resolveWorkspaceDir({ env: {} })).toBe(path.join(os.homedir(), '.neuropath'))
  })
})

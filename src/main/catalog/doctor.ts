import fs from 'node:fs'
import { MIGRATIONS } from './migrations'
import { schemaVersion } from './migrate'
import type { Catalog } from './open-catalog'

/** One finding of `neuropath doctor`. */
export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
}

export interface DoctorReport {
  ok: boolean
  checks: DoctorCheck[]
  /** Catalogued image files that no longer exist on disk (first 100). */
  missingFiles: string[]
  missingFileCount: number
}

/**
 * Health of a workspace catalog: SQLite integrity and foreign keys, schema version against this build,
 * and the files the catalog points at (dataset items, run model folders). Reads only.
 */
export function runDoctor(db: Catalog): DoctorReport {
  const checks: DoctorCheck[] = []
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[]
  const intOk = integrity.length === 1 && integrity[0].integrity_check === 'ok'
  checks.push({
    name: 'integrity',
    ok: intOk,
    detail: intOk
      ? 'PRAGMA integrity_check: ok'
      : integrity
          .map((r) => r.integrity_check)
          .slice(0, 5)
          .join('; ')
  })
  const fk = db.pragma('foreign_key_check') as unknown[]
  checks.push({
    name: 'foreign keys',
    ok: fk.length === 0,
    detail: fk.length === 0 ? 'no dangling references' : `${fk.length} dangling references`
  })
  const version = schemaVersion(db)
  checks.push({
    name: 'schema',
    ok: version === MIGRATIONS.length,
    detail: `schema version ${version} of ${MIGRATIONS.length} (${MIGRATIONS.map((m) => `${m.version} ${m.name}`).join(', ')})`
  })
  const journal = db.pragma('journal_mode', { simple: true })
  checks.push({ name: 'journal', ok: journal === 'wal', detail: `journal_mode ${String(journal)}` })

  const missing: string[] = []
  let missingCount = 0
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)
  )
  if (tables.has('dataset_items')) {
    for (const { path } of db.prepare('SELECT path FROM dataset_items').iterate() as Iterable<{ path: string }>) {
      if (!fs.existsSync(path)) {
        missingCount++
        if (missing.length < 100) missing.push(path)
      }
    }
    checks.push({
      name: 'image files',
      ok: missingCount === 0,
      detail: missingCount === 0 ? 'every catalogued file exists' : `${missingCount} catalogued files are missing`
    })
  }
  if (tables.has('runs')) {
    const rows = db.prepare('SELECT id, model_dir FROM runs WHERE model_dir IS NOT NULL').all() as {
      id: number
      model_dir: string
    }[]
    const gone = rows.filter((r) => !fs.existsSync(r.model_dir))
    checks.push({
      name: 'models',
      ok: gone.length === 0,
      detail:
        gone.length === 0
          ? `${rows.length} model folders present`
          : `model folder missing for runs ${gone.map((r) => r.id).join(', ')}`
    })
  }
  return { ok: checks.every((c) => c.ok), checks, missingFiles: missing, missingFileCount: missingCount }
}

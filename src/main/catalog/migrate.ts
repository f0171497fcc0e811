import type Database from 'better-sqlite3'
import { AppError } from '../../shared/errors'
import { MIGRATIONS, type Migration } from './migrations'

/** Schema version recorded in the SQLite header (`PRAGMA user_version`). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number
}

/**
 * Applies every migration newer than the catalog's version, each in its own transaction, so a crash leaves
 * the catalog at a whole version. Refuses a catalog written by a newer build rather than guessing.
 *
 * @param upTo stop after this version (tests use it to build each intermediate schema).
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
  upTo = Number.POSITIVE_INFINITY
): { from: number; to: number } {
  const from = schemaVersion(db)
  const latest = migrations.at(-1)?.version ?? 0
  if (from > latest) {
    throw new AppError(
      'UNSUPPORTED',
      `catalog schema version ${from} is newer than this build supports (${latest}); update NeuroPath Workstation`
    )
  }
  for (const [i, m] of migrations.entries()) {
    if (m.version !== i + 1) throw new Error(`migration list is not numbered 1..n at ${m.name}`)
    if (m.version <= from || m.version > upTo) continue
    // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched around it.
    const fkOn = db.pragma('foreign_keys', { simple: true }) === 1
    if (m.rebuildsTables && fkOn) db.pragma('foreign_keys = OFF')
    try {
      db.transaction(() => {
        m.up(db)
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as unknown[]
          if (broken.length > 0)
            throw new Error(`migration ${m.version} (${m.name}) left ${broken.length} broken foreign key(s)`)
        }
        db.pragma(`user_version = ${m.version}`)
      }).immediate()
    } finally {
      if (m.rebuildsTables && fkOn) db.pragma('foreign_keys = ON')
    }
  }
  return { from, to: schemaVersion(db) }
}

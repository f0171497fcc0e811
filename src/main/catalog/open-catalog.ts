import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/errors'
import { migrate } from './migrate'

export type Catalog = Database.Database

/**
 * Inside Electron, better-sqlite3 must be the build for Electron's ABI (scripts/electron-native.mjs puts it
 * beside the Node build); everywhere else the default Node build loads.
 */
function nativeBinding(): string | undefined {
  const electron = process.versions.electron
  if (!electron) return undefined
  const candidates = [
    process.env.NEUROPATH_SQLITE_BINDING,
    path.join(process.cwd(), 'node_modules/.electron-native', `better_sqlite3-electron-${electron}.node`),
    path.join(__dirname, '../../node_modules/.electron-native', `better_sqlite3-electron-${electron}.node`)
  ]
  return candidates.find((c): c is string => !!c && fs.existsSync(c))
}

/**
 * Opens (creating if needed) a catalog database: WAL journal, foreign keys on, a busy timeout so a second
 * reader waits instead of failing, and all migrations applied.
 */
export function openCatalog(file: string, opts: { readonly?: boolean; migrate?: boolean } = {}): Catalog {
  let db: Database.Database
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      nativeBinding: nativeBinding()
    })
  } catch (err) {
    throw new AppError('IO', `cannot open catalog ${file}: ${(err as Error).message}`)
  }
  try {
    db.pragma('busy_timeout = 5000')
    if (!opts.readonly) db.pragma('journal_mode = WAL')
    db.pragma('foreign_keys = ON')
    db.pragma('synchronous = NORMAL')
    const header = db.pragma('quick_check', { simple: true })
    if (header !== 'ok') throw new AppError('CORRUPT', `catalog ${file} failed its quick check: ${String(header)}`)
    if (opts.migrate ?? !opts.readonly) migrate(db)
    return db
  } catch (err) {
    db.close()
    if (err instanceof AppError) throw err
    const msg = (err as Error).message
    const code = /not a database|malformed/i.test(msg) ? 'CORRUPT' : 'IO'
    throw new AppError(code, `cannot open catalog ${file}: ${msg}`)
  }
}

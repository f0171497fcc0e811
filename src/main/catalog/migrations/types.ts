import type Database from 'better-sqlite3'

/** One numbered schema step. `version` is its number; migrations apply in order, each in a transaction. */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
  /**
   * Run with foreign keys off (SQLite's table-rebuild procedure): dropping a rebuilt table must not fire the
   * ON DELETE actions of the tables that reference it. `migrate` checks every foreign key before committing.
   */
  rebuildsTables?: boolean
}

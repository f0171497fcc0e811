import type Database from 'better-sqlite3'

/** One numbered schema step. `version` is its number; migrations apply in order, each in a transaction. */
export interface Migration {
  version: number
  name: string
  up(db: Database.Database): void
}

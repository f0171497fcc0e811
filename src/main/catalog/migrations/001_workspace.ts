import type { Migration } from './types'

/** Workspace identity and small JSON settings. */
export const m001Workspace: Migration = {
  version: 1,
  name: 'workspace and settings',
  up(db) {
    db.exec(`
      CREATE TABLE workspace (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        created_at TEXT NOT NULL,
        app_version TEXT NOT NULL
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `)
  }
}

import type { Setting } from '../../shared/contract'
import type { Catalog } from './open-catalog'

interface Row {
  key: string
  value_json: string
  updated_at: string
}

const toSetting = (r: Row): Setting => ({ key: r.key, value: JSON.parse(r.value_json), updatedAt: r.updated_at })

/** Small JSON settings stored in the catalog (`settings` table, migration 001). */
export class SettingsStore {
  constructor(private readonly db: Catalog) {}

  list(): Setting[] {
    return (this.db.prepare('SELECT * FROM settings ORDER BY key').all() as Row[]).map(toSetting)
  }

  get(key: string): Setting | null {
    const row = this.db.prepare('SELECT * FROM settings WHERE key = ?').get(key) as Row | undefined
    return row ? toSetting(row) : null
  }

  set(key: string, value: unknown): Setting {
    const now = new Date().toISOString()
    this.db
      .prepare(
        `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`
      )
      .run(key, JSON.stringify(value), now)
    return { key, value, updatedAt: now }
  }
}

import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { APP_VERSION } from '../app-meta'
import { openCatalog, type Catalog } from '../catalog/open-catalog'
import { schemaVersion } from '../catalog/migrate'
import { SettingsStore } from '../catalog/settings'

/**
 * A workspace folder: `catalog.sqlite` plus `models/` (trained model folders), `cache/` (thumbnails,
 * embeddings) and `exports/` (reports, CSVs). Input images are never copied into it.
 */
export class Workspace {
  readonly catalogFile: string
  readonly modelsDir: string
  readonly cacheDir: string
  readonly exportsDir: string
  readonly settings: SettingsStore

  private constructor(
    readonly dir: string,
    readonly db: Catalog
  ) {
    this.catalogFile = path.join(dir, 'catalog.sqlite')
    this.modelsDir = path.join(dir, 'models')
    this.cacheDir = path.join(dir, 'cache')
    this.exportsDir = path.join(dir, 'exports')
    this.settings = new SettingsStore(db)
  }

  /** Creates the folder layout if needed, opens the catalog and applies migrations. */
  static open(dir: string): Workspace {
    const abs = path.resolve(dir)
    try {
      for (const sub of ['', 'models', 'cache', 'exports']) fs.mkdirSync(path.join(abs, sub), { recursive: true })
    } catch (err) {
      throw new AppError('IO', `cannot create workspace ${abs}: ${(err as Error).message}`)
    }
    const db = openCatalog(path.join(abs, 'catalog.sqlite'))
    db.prepare('INSERT OR IGNORE INTO workspace (id, created_at, app_version) VALUES (1, ?, ?)').run(
      new Date().toISOString(),
      APP_VERSION
    )
    return new Workspace(abs, db)
  }

  get schemaVersion(): number {
    return schemaVersion(this.db)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

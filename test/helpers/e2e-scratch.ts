import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { Page } from 'playwright-core'

/**
 * An e2e suite's scratch: a temp folder (`tmp`) holding its workspace (`tmp/ws`), the suite's screenshot
 * folder `test-results/<shots>/`, and removal of the temp folder (retried: the served app may still hold files).
 */
export function e2eScratch(prefix: string, shots: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const dir = path.resolve(__dirname, '../../test-results', shots)
  fs.mkdirSync(dir, { recursive: true })
  return {
    tmp,
    workspace: path.join(tmp, 'ws'),
    /** Full-page screenshot `test-results/<shots>/<name>.png`. */
    shot: (page: Page, name: string) => page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true }),
    remove: () => fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
  }
}

/** Rows of a query on a workspace's catalog, opened read-only (what the app wrote, not what it shows). */
export function readCatalog<T>(workspace: string, sql: string, ...args: unknown[]): T[] {
  const db = new Database(path.join(workspace, 'catalog.sqlite'), { readonly: true, fileMustExist: true })
  try {
    return db.prepare(sql).all(...args) as T[]
  } finally {
    db.close()
  }
}

import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'

/** Most files one folder scan lists; a radiology export of a whole study stays well below this. */
export const MAX_SCAN_FILES = 20_000
/** Deepest folder level scanned below the opened folder (patient/study/series/... exports nest 3–5 deep). */
export const MAX_SCAN_DEPTH = 10

/** The regular files under a folder, depth-first in name order. */
export interface FolderScan {
  files: string[]
  /** True when MAX_SCAN_FILES was reached and the scan stopped. */
  truncated: boolean
}

/**
 * Lists regular files under `dir` recursively (at most MAX_SCAN_DEPTH levels, MAX_SCAN_FILES files).
 * Hidden entries (leading '.') and DICOMDIR are skipped, and symlinks are not followed: a link could lead outside the
 * granted folder or into a cycle. Unreadable subfolders are skipped; an unreadable `dir` throws.
 * @throws AppError IO naming the folder when it cannot be listed.
 */
export async function scanFolder(dir: string): Promise<FolderScan> {
  const files: string[] = []
  let truncated = false
  const walk = async (at: string, depth: number): Promise<void> => {
    let entries
    try {
      entries = await fs.readdir(at, { withFileTypes: true })
    } catch (err) {
      if (depth === 0) {
        const code = (err as NodeJS.ErrnoException).code
        throw new AppError('IO', `${at}: cannot list folder (${code ?? String(err)})`)
      }
      return
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      if (truncated) return
      // DICOMDIR indexes the folder; it holds no image of its own.
      if (e.name.startsWith('.') || e.name.toUpperCase() === 'DICOMDIR') continue
      const full = path.join(at, e.name)
      if (e.isFile()) {
        if (files.length >= MAX_SCAN_FILES) {
          truncated = true
          return
        }
        files.push(full)
      } else if (e.isDirectory() && depth < MAX_SCAN_DEPTH) {
        await walk(full, depth + 1)
      }
    }
  }
  await walk(dir, 0)
  return { files, truncated }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

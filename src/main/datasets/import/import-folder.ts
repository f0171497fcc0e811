import { randomBytes } from 'node:crypto'
import path from 'node:path'
import type { ImportError, ImportProgress, ImportResult } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { BoundedPool } from './bounded-pool'
import { commitImport } from './commit-import'
import { probeFile, type VolumeImportOptions } from './probe-file'
import { discardStaging, purgeStaleStaging, stageRows, type StagedRow } from './staging'
import { listClassFolders, walkImportRoot, type FoundFile } from './walk-folder'

export interface ImportOptions {
  /** Name of the dataset to import into; created when the import commits if it does not exist. */
  dataset: string
  /** The folder holding one subfolder per class. */
  root: string
  /** Workspace cache folder; thumbnails go to `<cacheDir>/thumbs`. */
  cacheDir: string
  importId?: string
  signal?: AbortSignal
  /** Files probed at once (default 4: enough to keep sharp, zlib and disk reads busy on two cores). */
  concurrency?: number
  onProgress?: (p: ImportProgress) => void
  /** Minimum milliseconds between progress reports (default 250). The final report is always sent. */
  progressIntervalMs?: number
  /** Probed rows are staged in batches of this many (default 256), so memory stays flat for any folder size. */
  stageBatchSize?: number
  /** NIfTI volumes (.nii, .nii.gz, .hdr/.img): the plane they are sliced along and whether near-empty slices are left out. */
  volumes?: VolumeImportOptions
}

/** A fresh import id: `imp-<time>-<random>`. */
export function newImportId(): string {
  return `imp-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

/**
 * Imports a folder laid out one subfolder per class (nested folders allowed) into a dataset. Files stay
 * where they are; each new image is hashed, its header read, frame 0 rendered for a thumbnail and a dHash.
 * Files already in the dataset with the same size and modification time are skipped without being read, so
 * re-importing a folder adds nothing. Unreadable images are reported with a reason and the import goes on.
 *
 * All-or-nothing: probed rows go to a staging table and become items in one transaction at the end, so a
 * cancelled or failed import leaves the catalog as it was.
 * @throws AppError CANCELLED when `signal` aborts; NOT_FOUND / INVALID_ARGUMENT for a bad root.
 */
export async function importFolder(db: Catalog, opts: ImportOptions): Promise<ImportResult> {
  const importId = opts.importId ?? newImportId()
  const root = path.resolve(opts.root)
  const started = Date.now()
  const startedAt = new Date(started).toISOString()
  const classFolders = await listClassFolders(root)
  const existing = existingItems(db, opts.dataset)
  purgeStaleStaging(db)

  const counts = { seen: 0, processed: 0, imported: 0, updated: 0, skipped: 0, ignored: 0, failed: 0 }
  const errors: ImportError[] = []
  const seenSha = new Set<string>()
  const seenPaths = new Set<string>()
  let pending: StagedRow[] = []
  let walked = false
  let lastReport = 0
  const interval = opts.progressIntervalMs ?? 250
  const stageBatch = Math.max(1, opts.stageBatchSize ?? 256)

  const report = (force = false): void => {
    const now = Date.now()
    if (!opts.onProgress || (!force && now - lastReport < interval)) return
    lastReport = now
    const elapsed = (now - started) / 1000
    opts.onProgress({
      importId,
      dataset: opts.dataset,
      root,
      ...counts,
      walked,
      fraction: walked && counts.seen > 0 ? counts.processed / counts.seen : null,
      filesPerSecond: elapsed > 0 ? Math.round(counts.processed / elapsed) : 0,
      elapsedSeconds: Math.round(elapsed * 10) / 10
    })
  }
  const flush = (): void => {
    stageRows(db, importId, pending)
    pending = []
  }
  const fail = (p: string, reason: string): void => {
    counts.failed++
    errors.push({ path: p, reason })
  }

  const handle = async (file: FoundFile): Promise<void> => {
    // A multi-frame file or volume is several items; they are skipped or re-probed together.
    const known = existing.get(file.path)
    if (known && known[0].size === file.size && known[0].mtimeMs === file.mtimeMs) {
      counts.skipped++
      for (const k of known) seenSha.add(k.sha256)
    } else {
      const outcome = await probeFile(file, opts.cacheDir, opts.volumes)
      if (outcome.status === 'ignored') counts.ignored++
      else if (outcome.status === 'failed') fail(file.path, outcome.reason)
      else {
        if (known) counts.updated++
        else counts.imported++
        for (const image of outcome.images) {
          seenSha.add(image.sha256)
          const same = known?.find((k) => k.frame === image.frame)
          pending.push({ ...file, existingItemId: same?.id ?? null, image })
        }
        if (pending.length >= stageBatch) flush()
      }
    }
    counts.processed++
    report()
  }

  const pool = new BoundedPool(Math.max(1, opts.concurrency ?? 4))
  try {
    for await (const entry of walkImportRoot(root, classFolders)) {
      if (opts.signal?.aborted) break
      counts.seen++
      if (entry.type === 'problem') {
        if (entry.problem.outcome === 'ignored') counts.ignored++
        else fail(entry.problem.path, entry.problem.reason)
        counts.processed++
        continue
      }
      seenPaths.add(entry.file.path)
      await pool.run(() => handle(entry.file))
    }
    walked = true
    await pool.drain()
    if (opts.signal?.aborted) throw new AppError('CANCELLED', `import of ${root} into "${opts.dataset}" was cancelled`)
    flush()
    report(true)
  } catch (err) {
    await pool.drain()
    discardStaging(db, importId)
    throw err
  }

  const warnings = collectWarnings(root, existing, seenPaths, counts.seen)
  const committed = commitImport(db, {
    importId,
    dataset: opts.dataset,
    root,
    startedAt,
    counts: { seen: counts.seen, skipped: counts.skipped, ignored: counts.ignored, failed: counts.failed },
    errors,
    warnings,
    seenSha
  })
  // Refreshes the planner's statistics for the tables that just grew (cheap; a no-op when nothing changed much).
  db.pragma('optimize')
  const seconds = (Date.now() - started) / 1000
  return {
    importId,
    datasetId: committed.datasetId,
    dataset: opts.dataset,
    root,
    seen: counts.seen,
    imported: committed.imported,
    updated: committed.updated,
    skipped: counts.skipped,
    ignored: counts.ignored,
    failed: counts.failed,
    conflicts: committed.conflictGroups.length,
    conflictGroups: committed.conflictGroups,
    errors,
    warnings,
    seconds: Math.round(seconds * 100) / 100,
    filesPerSecond: seconds > 0 ? Math.round(counts.processed / seconds) : 0
  }
}

interface KnownItem {
  id: number
  size: number
  mtimeMs: number
  sha256: string
  /** 0-based frame or volume slice. */
  frame: number
}

/** Items already in the dataset, by absolute path, one per frame (empty when the dataset does not exist yet). */
function existingItems(db: Catalog, dataset: string): Map<string, KnownItem[]> {
  const rows = db
    .prepare(
      `SELECT i.id, i.path, i.size, i.mtime_ms AS mtimeMs, i.sha256, i.frame FROM dataset_items i
       JOIN datasets d ON d.id = i.dataset_id WHERE d.name = ?`
    )
    .all(dataset) as (KnownItem & { path: string })[]
  const byPath = new Map<string, KnownItem[]>()
  for (const r of rows) {
    const list = byPath.get(r.path)
    if (list) list.push(r)
    else byPath.set(r.path, [r])
  }
  return byPath
}

/** Items under this root that the walk no longer finds, and an empty walk, are worth telling the user. */
function collectWarnings(
  root: string,
  existing: Map<string, KnownItem[]>,
  seen: Set<string>,
  seenCount: number
): string[] {
  const warnings: string[] = []
  if (seenCount === 0) warnings.push(`no files found under the class folders of ${root}`)
  const prefix = root.endsWith(path.sep) ? root : root + path.sep
  let missing = 0
  for (const p of existing.keys()) if (p.startsWith(prefix) && !seen.has(p)) missing++
  if (missing > 0) {
    warnings.push(
      `${missing} item(s) previously imported from ${root} were not found (moved or deleted); they stay in the catalog`
    )
  }
  return warnings
}

import type { ImportCounts, ImportReport, ImportSummary } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'

interface ImportRow extends ImportCounts {
  id: string
  dataset_id: number
  root: string
  started_at: string
  finished_at: string
  warnings_json: string
}

const toSummary = (r: ImportRow): ImportSummary => ({
  importId: r.id,
  datasetId: r.dataset_id,
  root: r.root,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  seen: r.seen,
  imported: r.imported,
  updated: r.updated,
  skipped: r.skipped,
  ignored: r.ignored,
  failed: r.failed,
  conflicts: r.conflicts
})

/** A dataset's finished imports, newest first. */
export function listImports(db: Catalog, datasetId: number): ImportSummary[] {
  return (
    db
      .prepare('SELECT * FROM dataset_imports WHERE dataset_id = ? ORDER BY started_at DESC')
      .all(datasetId) as ImportRow[]
  ).map(toSummary)
}

/** The recorded report of a finished import: counts, every failed file with its reason, warnings. */
export function getImportReport(db: Catalog, importId: string): ImportReport {
  const row = db.prepare('SELECT * FROM dataset_imports WHERE id = ?').get(importId) as ImportRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `import ${importId} has no report (unknown, still running, or cancelled)`)
  const errors = db
    .prepare('SELECT path, reason FROM dataset_import_errors WHERE import_id = ? ORDER BY rowid')
    .all(importId) as { path: string; reason: string }[]
  return { ...toSummary(row), errors, warnings: JSON.parse(row.warnings_json) as string[] }
}

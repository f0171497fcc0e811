import type { Catalog } from '../../catalog/open-catalog'
import type { ProbedImage } from './probe-file'

/** One probed file waiting for its import to finish. */
export interface StagedRow {
  /** Set when the file is already an item whose content changed: the commit updates that item. */
  existingItemId: number | null
  className: string
  path: string
  relPath: string
  /** Bytes. */
  size: number
  /** Milliseconds since the epoch. */
  mtimeMs: number
  image: ProbedImage
}

/** Staged rows older than this belong to an import that crashed; they are purged before the next import. */
const STALE_MS = 24 * 3600 * 1000

/** Appends rows to the import's staging area in one transaction. */
export function stageRows(db: Catalog, importId: string, rows: StagedRow[]): void {
  if (rows.length === 0) return
  const insert = db.prepare(
    `INSERT INTO dataset_import_staging (import_id, staged_at, existing_item_id, class_name, path, rel_path, sha256,
       size, mtime_ms, kind, width, height, frames, modality, patient_id, study_uid, series_uid, instance_number, dhash,
       frame, plane, group_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const now = new Date().toISOString()
  db.transaction(() => {
    for (const r of rows) {
      const m = r.image
      insert.run(
        importId,
        now,
        r.existingItemId,
        r.className,
        r.path,
        r.relPath,
        m.sha256,
        r.size,
        r.mtimeMs,
        m.kind,
        m.width,
        m.height,
        m.frames,
        m.modality,
        m.patientId,
        m.studyUid,
        m.seriesUid,
        m.instanceNumber,
        m.dhash,
        m.frame,
        m.plane,
        m.groupKey
      )
    }
  })()
}

/** Drops an import's staged rows (cancel or failure): the catalog is as it was before the import. */
export function discardStaging(db: Catalog, importId: string): void {
  db.prepare('DELETE FROM dataset_import_staging WHERE import_id = ?').run(importId)
}

/** Drops rows left by imports that died without committing or discarding. */
export function purgeStaleStaging(db: Catalog, now = Date.now()): void {
  db.prepare('DELETE FROM dataset_import_staging WHERE staged_at < ?').run(new Date(now - STALE_MS).toISOString())
}

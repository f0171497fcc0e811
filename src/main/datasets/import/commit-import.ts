import type { ConflictGroup, ImportCounts, ImportError } from '../../../shared/contract/datasets'
import type { Catalog } from '../../catalog/open-catalog'

/**
 * Makes a finished import visible in one transaction: creates the dataset and classes if needed, moves the
 * staged rows into `dataset_items` (new files) or onto their items (changed files), records the import with its
 * errors and warnings, and clears the staging rows. Until this runs, the import has changed nothing.
 * @returns the dataset id, how many items were inserted and updated, and the conflicts among the files seen.
 */
export function commitImport(
  db: Catalog,
  args: {
    importId: string
    dataset: string
    root: string
    startedAt: string
    counts: Omit<ImportCounts, 'imported' | 'updated' | 'conflicts'>
    errors: ImportError[]
    warnings: string[]
    /** Hashes of every image file the import saw (new, changed or unchanged): conflicts are reported among them. */
    seenSha: Set<string>
  }
): { datasetId: number; imported: number; updated: number; conflictGroups: ConflictGroup[] } {
  const now = new Date().toISOString()
  const { importId } = args
  return db
    .transaction(() => {
      db.prepare('INSERT OR IGNORE INTO datasets (name, created_at, updated_at) VALUES (?, ?, ?)').run(
        args.dataset,
        now,
        now
      )
      const { id: datasetId } = db.prepare('SELECT id FROM datasets WHERE name = ?').get(args.dataset) as { id: number }
      db.prepare(
        `INSERT OR IGNORE INTO dataset_classes (dataset_id, name, created_at)
       SELECT DISTINCT ?, class_name, ? FROM dataset_import_staging WHERE import_id = ? AND existing_item_id IS NULL`
      ).run(datasetId, now, importId)
      const c = args.counts
      db.prepare(
        `INSERT INTO dataset_imports (id, dataset_id, root, started_at, finished_at, seen, imported, updated, skipped,
         ignored, failed, conflicts, warnings_json)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, 0, ?)`
      ).run(
        importId,
        datasetId,
        args.root,
        args.startedAt,
        now,
        c.seen,
        c.skipped,
        c.ignored,
        c.failed,
        JSON.stringify(args.warnings)
      )
      const imported = db
        .prepare(
          `INSERT OR IGNORE INTO dataset_items (dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size,
           mtime_ms, kind, width, height, frames, modality, patient_id, study_uid, series_uid, instance_number, dhash,
           frame, plane, group_key, created_at)
         SELECT ?, c.id, s.class_name, s.path, s.rel_path, s.import_id, s.sha256, s.size, s.mtime_ms, s.kind, s.width,
           s.height, s.frames, s.modality, s.patient_id, s.study_uid, s.series_uid, s.instance_number, s.dhash,
           s.frame, s.plane, s.group_key, ?
         FROM dataset_import_staging s
         JOIN dataset_classes c ON c.dataset_id = ? AND c.name = s.class_name
         WHERE s.import_id = ? AND s.existing_item_id IS NULL
         ORDER BY s.rel_path, s.frame`
        )
        .run(datasetId, now, datasetId, importId).changes
      const updated = db
        .prepare(
          `UPDATE dataset_items SET (sha256, size, mtime_ms, kind, width, height, frames, modality, patient_id, study_uid,
           series_uid, instance_number, dhash, plane, group_key) =
           (SELECT s.sha256, s.size, s.mtime_ms, s.kind, s.width, s.height, s.frames, s.modality, s.patient_id,
              s.study_uid, s.series_uid, s.instance_number, s.dhash, s.plane, s.group_key
            FROM dataset_import_staging s WHERE s.import_id = ? AND s.existing_item_id = dataset_items.id)
         WHERE dataset_id = ? AND id IN
           (SELECT existing_item_id FROM dataset_import_staging WHERE import_id = ? AND existing_item_id IS NOT NULL)`
        )
        .run(importId, datasetId, importId).changes
      const conflictGroups = findConflicts(db, datasetId, args.seenSha)
      db.prepare('UPDATE dataset_imports SET imported = ?, updated = ?, conflicts = ? WHERE id = ?').run(
        imported,
        updated,
        conflictGroups.length,
        importId
      )
      const addError = db.prepare('INSERT INTO dataset_import_errors (import_id, path, reason) VALUES (?, ?, ?)')
      for (const e of args.errors) addError.run(importId, e.path, e.reason)
      db.prepare('DELETE FROM dataset_import_staging WHERE import_id = ?').run(importId)
      db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(now, datasetId)
      return { datasetId, imported, updated, conflictGroups }
    })
    .immediate()
}

/**
 * Conflict groups of a dataset: the same content (sha256) carried by included items with different labels.
 * @param onlySha limit to these hashes (e.g. the files one import saw).
 */
export function findConflicts(db: Catalog, datasetId: number, onlySha?: Set<string>): ConflictGroup[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.path, i.sha256, c.name AS class_name
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.dataset_id = ? AND i.excluded = 0 AND i.sha256 IN (
         SELECT sha256 FROM dataset_items WHERE dataset_id = ? AND excluded = 0
         GROUP BY sha256 HAVING COUNT(DISTINCT class_id) > 1)
       ORDER BY i.sha256, i.id`
    )
    .all(datasetId, datasetId) as { id: number; path: string; sha256: string; class_name: string }[]
  const groups = new Map<string, ConflictGroup>()
  for (const r of rows) {
    if (onlySha && !onlySha.has(r.sha256)) continue
    let g = groups.get(r.sha256)
    if (!g) groups.set(r.sha256, (g = { sha256: r.sha256, classes: [], items: [] }))
    if (!g.classes.includes(r.class_name)) g.classes.push(r.class_name)
    g.items.push({ itemId: r.id, path: r.path, className: r.class_name })
  }
  return [...groups.values()]
}

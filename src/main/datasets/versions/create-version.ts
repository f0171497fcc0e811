import { createHash } from 'node:crypto'
import type { DatasetVersion, Split, SplitConfig } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { requireDataset } from '../store/datasets-store'

interface VersionRow {
  id: number
  dataset_id: number
  number: number
  note: string
  created_at: string
  split_config_json: string | null
  classes_json: string
  counts_json: string
  items: number
  excluded: number
  fingerprint: string
}

/** Row → API shape. */
export function toVersion(r: VersionRow): DatasetVersion {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    number: r.number,
    note: r.note,
    createdAt: r.created_at,
    splitConfig: r.split_config_json ? (JSON.parse(r.split_config_json) as SplitConfig) : null,
    classes: JSON.parse(r.classes_json) as string[],
    counts: JSON.parse(r.counts_json) as DatasetVersion['counts'],
    items: r.items,
    excluded: r.excluded,
    fingerprint: r.fingerprint
  }
}

/** The version row, or NOT_FOUND naming the id. */
export function getVersion(db: Catalog, versionId: number): DatasetVersion {
  const row = db.prepare('SELECT * FROM dataset_versions WHERE id = ?').get(versionId) as VersionRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `dataset version ${versionId} does not exist`)
  return toVersion(row)
}

/** A dataset's versions, newest first. */
export function listVersions(db: Catalog, datasetId: number): DatasetVersion[] {
  requireDataset(db, datasetId)
  const rows = db
    .prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY number DESC')
    .all(datasetId) as VersionRow[]
  return rows.map(toVersion)
}

/**
 * Freezes a dataset's current labels, splits and exclusions as a new numbered version, for a training run
 * to reference: every item's label (by name and index), split and exclusion are copied, along with the split
 * parameters and a fingerprint of the included data. Later curation never changes a version.
 * Label indices follow `classes`: the classes with at least one included item, sorted by name
 * (case-insensitive); excluded items of other classes get index -1.
 * @returns the version (use its `id` as versionId).
 */
export function createVersion(db: Catalog, datasetId: number, note: string): DatasetVersion {
  return db.transaction(() => {
    const ds = requireDataset(db, datasetId)
    const rows = db
      .prepare(
        `SELECT i.id, c.name AS label, i.split, i.excluded, i.sha256
         FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
         WHERE i.dataset_id = ? ORDER BY i.id`
      )
      .all(datasetId) as { id: number; label: string; split: Split | null; excluded: number; sha256: string }[]
    const included = rows.filter((r) => !r.excluded)
    if (included.length === 0)
      throw new AppError('INVALID_ARGUMENT', `dataset "${ds.name}" has no included items to version`)
    const classes = [...new Set(included.map((r) => r.label))].sort((a, b) => {
      const x = a.toLowerCase()
      const y = b.toLowerCase()
      return x < y ? -1 : x > y ? 1 : 0
    })
    const index = new Map(classes.map((c, i) => [c, i]))
    const counts: DatasetVersion['counts'] = { train: {}, val: {}, test: {}, unassigned: {} }
    const fp = createHash('sha256')
    for (const r of included) {
      const bucket = counts[r.split ?? 'unassigned']
      bucket[r.label] = (bucket[r.label] ?? 0) + 1
      fp.update(`${r.sha256}\t${r.label}\t${r.split ?? ''}\n`)
    }
    const { n } = db
      .prepare('SELECT COALESCE(MAX(number), 0) AS n FROM dataset_versions WHERE dataset_id = ?')
      .get(datasetId) as {
      n: number
    }
    const versionId = db
      .prepare(
        `INSERT INTO dataset_versions (dataset_id, number, note, created_at, split_config_json, classes_json, counts_json,
           items, excluded, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        datasetId,
        n + 1,
        note,
        new Date().toISOString(),
        ds.split_config_json,
        JSON.stringify(classes),
        JSON.stringify(counts),
        included.length,
        rows.length - included.length,
        fp.digest('hex')
      ).lastInsertRowid as number
    const add = db.prepare(
      'INSERT INTO dataset_version_items (version_id, item_id, label, label_index, split, excluded, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)'
    )
    for (const r of rows) add.run(versionId, r.id, r.label, index.get(r.label) ?? -1, r.split, r.excluded, r.sha256)
    return getVersion(db, versionId)
  })()
}

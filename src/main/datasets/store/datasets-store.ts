import type { DatasetSummary, SplitConfig, SplitCounts } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'

interface DatasetRow {
  id: number
  name: string
  created_at: string
  updated_at: string
  split_config_json: string | null
}

/** The dataset row, or NOT_FOUND naming the id. */
export function requireDataset(db: Catalog, datasetId: number): DatasetRow {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(datasetId) as DatasetRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `dataset ${datasetId} does not exist`)
  return row
}

/** The dataset with this name (case-insensitive), or NOT_FOUND naming it. */
export function requireDatasetByName(db: Catalog, name: string): DatasetRow {
  const row = db.prepare('SELECT * FROM datasets WHERE name = ?').get(name.trim()) as DatasetRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `dataset "${name}" does not exist`)
  return row
}

/** The last split's parameters, or null before the first split. */
export function splitConfigOf(db: Catalog, datasetId: number): SplitConfig | null {
  const json = requireDataset(db, datasetId).split_config_json
  return json ? (JSON.parse(json) as SplitConfig) : null
}

/** Every dataset with its counts (one grouped scan of the items table). */
export function listDatasets(db: Catalog): DatasetSummary[] {
  const rows = db.prepare('SELECT * FROM datasets ORDER BY name').all() as DatasetRow[]
  return rows.map((r) => summarise(db, r))
}

export function getDataset(db: Catalog, datasetId: number): DatasetSummary {
  return summarise(db, requireDataset(db, datasetId))
}

/** Creates an empty dataset; CONFLICT when the name (case-insensitive) is taken. */
export function createDataset(db: Catalog, name: string): DatasetSummary {
  const now = new Date().toISOString()
  try {
    const id = db.prepare('INSERT INTO datasets (name, created_at, updated_at) VALUES (?, ?, ?)').run(name, now, now)
      .lastInsertRowid as number
    return getDataset(db, id)
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message))
      throw new AppError('CONFLICT', `a dataset named "${name}" already exists`)
    throw err
  }
}

export function renameDataset(db: Catalog, datasetId: number, name: string): DatasetSummary {
  requireDataset(db, datasetId)
  try {
    db.prepare('UPDATE datasets SET name = ?, updated_at = ? WHERE id = ?').run(
      name,
      new Date().toISOString(),
      datasetId
    )
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message))
      throw new AppError('CONFLICT', `a dataset named "${name}" already exists`)
    throw err
  }
  return getDataset(db, datasetId)
}

/** Deletes a dataset's catalog rows (never its files). Refused once a version exists: training runs refer to it. */
export function removeDataset(db: Catalog, datasetId: number): number {
  const ds = requireDataset(db, datasetId)
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM dataset_versions WHERE dataset_id = ?').get(datasetId) as {
    n: number
  }
  if (n > 0) {
    throw new AppError(
      'CONFLICT',
      `dataset "${ds.name}" has ${n} version(s) that training runs may reference; it cannot be removed`
    )
  }
  return db.transaction(() => {
    // Items first: they reference the import records that the dataset cascade also removes.
    db.prepare('DELETE FROM dataset_items WHERE dataset_id = ?').run(datasetId)
    return db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId).changes
  })()
}

/** Marks a dataset as changed now. */
export function touchDataset(db: Catalog, datasetId: number): void {
  db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), datasetId)
}

function summarise(db: Catalog, r: DatasetRow): DatasetSummary {
  const bySplit = db
    .prepare(`SELECT split, excluded, COUNT(*) AS n FROM dataset_items WHERE dataset_id = ? GROUP BY split, excluded`)
    .all(r.id) as { split: string | null; excluded: number; n: number }[]
  const splits: SplitCounts = { train: 0, val: 0, test: 0, unassigned: 0 }
  let items = 0
  let excluded = 0
  for (const s of bySplit) {
    items += s.n
    if (s.excluded) excluded += s.n
    else splits[(s.split ?? 'unassigned') as keyof SplitCounts] += s.n
  }
  const count = (sql: string) => (db.prepare(sql).get(r.id) as { n: number }).n
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    items,
    excluded,
    classes: count('SELECT COUNT(*) AS n FROM dataset_classes WHERE dataset_id = ?'),
    splits,
    splitConfig: r.split_config_json ? (JSON.parse(r.split_config_json) as SplitConfig) : null,
    versions: count('SELECT COUNT(*) AS n FROM dataset_versions WHERE dataset_id = ?')
  }
}

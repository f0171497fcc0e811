import type { ClassSummary, SplitCounts } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'

export interface ClassRow {
  id: number
  dataset_id: number
  name: string
  created_at: string
}

/** The class row, or NOT_FOUND naming the id. */
export function requireClass(db: Catalog, classId: number): ClassRow {
  const row = db.prepare('SELECT * FROM dataset_classes WHERE id = ?').get(classId) as ClassRow | undefined
  if (!row) throw new AppError('NOT_FOUND', `class ${classId} does not exist`)
  return row
}

/** Classes of a dataset by name, each with included counts per split and its excluded count. */
export function listClasses(db: Catalog, datasetId: number): ClassSummary[] {
  const classes = db
    .prepare('SELECT * FROM dataset_classes WHERE dataset_id = ? ORDER BY name')
    .all(datasetId) as ClassRow[]
  const counts = db
    .prepare(
      `SELECT class_id, split, excluded, COUNT(*) AS n FROM dataset_items WHERE dataset_id = ?
       GROUP BY class_id, split, excluded`
    )
    .all(datasetId) as { class_id: number; split: string | null; excluded: number; n: number }[]
  const byClass = new Map<number, ClassSummary>(
    classes.map((c) => [
      c.id,
      { id: c.id, datasetId, name: c.name, total: 0, splits: { train: 0, val: 0, test: 0, unassigned: 0 }, excluded: 0 }
    ])
  )
  for (const r of counts) {
    const s = byClass.get(r.class_id)
    if (!s) continue
    if (r.excluded) s.excluded += r.n
    else {
      s.total += r.n
      s.splits[(r.split ?? 'unassigned') as keyof SplitCounts] += r.n
    }
  }
  return [...byClass.values()]
}

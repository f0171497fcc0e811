import { SPLITS, type CurationResult, type GroupBy, type Split } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { setExcluded } from '../curation/exclusion'
import { pushOp, type ItemState } from '../curation/op-log'
import { splitConfigOf, touchDataset } from '../store/datasets-store'
import { datasetOfItems } from '../store/items-query'
import { groupItems } from '../split/group-items'
import { loadSplitRows } from '../split/split-dataset'

export interface ResolveRequest {
  itemIds: number[]
  action: 'keep-together' | 'exclude'
  /** keep-together: the split to move into (default: the split most of the items are in). */
  split?: Split
  /** exclude: the one item to keep included. */
  keepItemId?: number
  /** Count what would change without writing (for the confirmation before a bulk action). */
  dryRun?: boolean
}

/**
 * Resolves a leakage finding as one undoable action.
 * - keep-together: moves the items into one split, together with every item grouped with them under the
 *   dataset's grouping rule (same patient/folder/regex key or same content), so the split stays group-disjoint.
 * - exclude: excludes the items except `keepItemId`, with reason "leakage".
 */
export function resolveLeakage(db: Catalog, datasetId: number, req: ResolveRequest): CurationResult {
  if (datasetOfItems(db, req.itemIds) !== datasetId) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `items ${req.itemIds.slice(0, 5).join(', ')} are not in dataset ${datasetId}`
    )
  }
  if (req.action === 'exclude') {
    if (req.keepItemId !== undefined && !req.itemIds.includes(req.keepItemId)) {
      throw new AppError('INVALID_ARGUMENT', `keepItemId ${req.keepItemId} is not one of the finding's items`)
    }
    const ids = req.itemIds.filter((id) => id !== req.keepItemId)
    if (req.dryRun) return { opId: null, changed: countIncluded(db, ids) }
    return ids.length ? setExcluded(db, ids, true, 'leakage') : { opId: null, changed: 0 }
  }
  return db.transaction(() => {
    const rows = loadSplitRows(db, datasetId)
    const byId = new Map(rows.map((r) => [r.id, r]))
    const target = req.split ?? majoritySplit(req.itemIds.map((id) => byId.get(id)!.split))
    const groupBy: GroupBy = splitConfigOf(db, datasetId)?.groupBy ?? { kind: 'patient' }
    const wanted = new Set(req.itemIds)
    const members = new Set<number>()
    for (const g of groupItems(rows, groupBy).groups)
      if (g.some((id) => wanted.has(id))) for (const id of g) members.add(id)
    const before: ItemState[] = []
    for (const id of members) {
      const r = byId.get(id)!
      if (r.split !== target) before.push([r.id, r.classId, r.split, r.excluded, r.excludeReason])
    }
    if (before.length === 0 || req.dryRun) return { opId: null, changed: before.length }
    const stmt = db.prepare('UPDATE dataset_items SET split = ? WHERE id = ?')
    for (const [id] of before) stmt.run(target, id)
    touchDataset(db, datasetId)
    const opId = pushOp(
      db,
      datasetId,
      'keep-together',
      `move ${before.length} item(s) into ${target} to keep them together`,
      {
        items: before
      }
    )
    return { opId, changed: before.length }
  })()
}

/** How many of `ids` are still included (what excluding them would change). */
function countIncluded(db: Catalog, ids: number[]): number {
  if (ids.length === 0) return 0
  const stmt = db.prepare('SELECT excluded FROM dataset_items WHERE id = ?')
  return ids.filter((id) => (stmt.get(id) as { excluded: number } | undefined)?.excluded === 0).length
}

/** The split holding most of the given items (ties: train, val, test); INVALID_ARGUMENT when none is split. */
function majoritySplit(splits: (Split | null)[]): Split {
  let best: Split | null = null
  let bestN = 0
  for (const s of SPLITS) {
    const n = splits.filter((x) => x === s).length
    if (n > bestN) {
      best = s
      bestN = n
    }
  }
  if (!best)
    throw new AppError('INVALID_ARGUMENT', 'none of the items has a split yet: give the split to move them into')
  return best
}

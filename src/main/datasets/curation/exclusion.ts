import type { CurationResult } from '../../../shared/contract/datasets'
import type { Catalog } from '../../catalog/open-catalog'
import { touchDataset } from '../store/datasets-store'
import { datasetOfItems } from '../store/items-query'
import { captureItems, pushOp } from './op-log'

/**
 * Excludes items from training (with an optional reason) or includes them again, as one undoable action.
 * Items already in the wanted state are left alone.
 */
export function setExcluded(db: Catalog, itemIds: number[], excluded: boolean, reason?: string): CurationResult {
  return db.transaction(() => {
    const datasetId = datasetOfItems(db, itemIds)
    const flag = excluded ? 1 : 0
    const before = captureItems(db, itemIds).filter((s) => s[3] !== flag)
    if (before.length === 0) return { opId: null, changed: 0 }
    const stmt = db.prepare('UPDATE dataset_items SET excluded = ?, exclude_reason = ? WHERE id = ?')
    for (const [id] of before) stmt.run(flag, excluded ? reason?.trim() || null : null, id)
    touchDataset(db, datasetId)
    const summary = `${excluded ? 'exclude' : 'include'} ${before.length} item(s)${excluded && reason ? ` (${reason})` : ''}`
    const opId = pushOp(db, datasetId, excluded ? 'exclude' : 'include', summary, { items: before })
    return { opId, changed: before.length }
  })()
}

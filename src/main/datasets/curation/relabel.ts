import type { CurationResult } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { requireClass } from '../store/classes-store'
import { touchDataset } from '../store/datasets-store'
import { datasetOfItems } from '../store/items-query'
import { captureItems, pushOp } from './op-log'

/** Gives items the label `classId` (one undoable action). Items already carrying it are left alone. */
export function relabelItems(db: Catalog, itemIds: number[], classId: number): CurationResult {
  return db.transaction(() => {
    const datasetId = datasetOfItems(db, itemIds)
    const cls = requireClass(db, classId)
    if (cls.dataset_id !== datasetId) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `class "${cls.name}" (${classId}) belongs to another dataset than the items`
      )
    }
    const before = captureItems(db, itemIds).filter((s) => s[1] !== classId)
    if (before.length === 0) return { opId: null, changed: 0 }
    const stmt = db.prepare('UPDATE dataset_items SET class_id = ? WHERE id = ?')
    for (const [id] of before) stmt.run(classId, id)
    touchDataset(db, datasetId)
    const opId = pushOp(db, datasetId, 'relabel', `relabel ${before.length} item(s) as "${cls.name}"`, {
      items: before
    })
    return { opId, changed: before.length }
  })()
}

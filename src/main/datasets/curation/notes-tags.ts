import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { touchDataset } from '../store/datasets-store'
import { datasetOfItems } from '../store/items-query'

/** Sets or clears (null / blank) an item's note. Notes are annotations, not curation: they are not on the undo stack. */
export function setNote(db: Catalog, itemId: number, note: string | null): { changed: number } {
  const text = note?.trim() ? note : null
  const res = db.prepare('UPDATE dataset_items SET note = ? WHERE id = ?').run(text, itemId)
  if (res.changes === 0) throw new AppError('NOT_FOUND', `item ${itemId} does not exist`)
  return { changed: res.changes }
}

/** Adds then removes tags on items; returns how many (item, tag) pairs changed. Not on the undo stack. */
export function updateTags(db: Catalog, itemIds: number[], add: string[], remove: string[]): { changed: number } {
  return db.transaction(() => {
    const datasetId = datasetOfItems(db, itemIds)
    const ins = db.prepare('INSERT OR IGNORE INTO dataset_item_tags (item_id, tag) VALUES (?, ?)')
    const del = db.prepare('DELETE FROM dataset_item_tags WHERE item_id = ? AND tag = ?')
    let changed = 0
    for (const id of new Set(itemIds)) {
      for (const t of add) changed += ins.run(id, t.trim()).changes
      for (const t of remove) changed += del.run(id, t.trim()).changes
    }
    if (changed) touchDataset(db, datasetId)
    return { changed }
  })()
}

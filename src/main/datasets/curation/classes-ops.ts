import type { CurationResult } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { requireClass, type ClassRow } from '../store/classes-store'
import { requireDataset, touchDataset } from '../store/datasets-store'
import { captureItems, pushOp } from './op-log'

function nameTaken(db: Catalog, datasetId: number, name: string, exceptId = -1): boolean {
  return !!db
    .prepare('SELECT 1 FROM dataset_classes WHERE dataset_id = ? AND name = ? AND id <> ?')
    .get(datasetId, name, exceptId)
}

/** Adds an empty class (undoable). CONFLICT when the name (case-insensitive) exists in the dataset. */
export function addClass(db: Catalog, datasetId: number, name: string): CurationResult & { classId: number } {
  return db.transaction(() => {
    requireDataset(db, datasetId)
    if (nameTaken(db, datasetId, name))
      throw new AppError('CONFLICT', `class "${name}" already exists in dataset ${datasetId}`)
    const classId = db
      .prepare('INSERT INTO dataset_classes (dataset_id, name, created_at) VALUES (?, ?, ?)')
      .run(datasetId, name, new Date().toISOString()).lastInsertRowid as number
    touchDataset(db, datasetId)
    const opId = pushOp(db, datasetId, 'add-class', `add class "${name}"`, { deleteClass: classId })
    return { opId, changed: 1, classId }
  })()
}

/** Renames a class (undoable). CONFLICT when another class of the dataset has the name. */
export function renameClass(db: Catalog, classId: number, name: string): CurationResult {
  return db.transaction(() => {
    const cls = requireClass(db, classId)
    if (cls.name === name) return { opId: null, changed: 0 }
    if (nameTaken(db, cls.dataset_id, name, classId)) {
      throw new AppError('CONFLICT', `class "${name}" already exists in dataset ${cls.dataset_id}`)
    }
    db.prepare('UPDATE dataset_classes SET name = ? WHERE id = ?').run(name, classId)
    touchDataset(db, cls.dataset_id)
    const opId = pushOp(db, cls.dataset_id, 'rename-class', `rename class "${cls.name}" to "${name}"`, {
      rename: { classId, name: cls.name }
    })
    return { opId, changed: 1 }
  })()
}

/**
 * Merges classes: every item of the sources takes the target's label and the sources are deleted, as one
 * undoable action (undo re-creates the sources with their ids and gives the items their labels back).
 */
export function mergeClasses(db: Catalog, sourceClassIds: number[], targetClassId: number): CurationResult {
  return db.transaction(() => {
    const target = requireClass(db, targetClassId)
    const sources: ClassRow[] = [...new Set(sourceClassIds)]
      .filter((id) => id !== targetClassId)
      .map((id) => requireClass(db, id))
    for (const s of sources) {
      if (s.dataset_id !== target.dataset_id) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `class "${s.name}" (${s.id}) belongs to another dataset than "${target.name}"`
        )
      }
    }
    if (sources.length === 0) return { opId: null, changed: 0 }
    const itemIds: number[] = []
    const ids = db.prepare('SELECT id FROM dataset_items WHERE class_id = ?').pluck()
    for (const s of sources) itemIds.push(...(ids.all(s.id) as number[]))
    const before = captureItems(db, itemIds)
    const move = db.prepare('UPDATE dataset_items SET class_id = ? WHERE class_id = ?')
    const drop = db.prepare('DELETE FROM dataset_classes WHERE id = ?')
    for (const s of sources) {
      move.run(targetClassId, s.id)
      drop.run(s.id)
    }
    touchDataset(db, target.dataset_id)
    const summary = `merge ${sources.map((s) => `"${s.name}"`).join(', ')} into "${target.name}" (${itemIds.length} item(s))`
    const opId = pushOp(db, target.dataset_id, 'merge-classes', summary, { restoreClasses: sources, items: before })
    return { opId, changed: itemIds.length }
  })()
}

import type { CurationOp, Split } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import type { ClassRow } from '../store/classes-store'

/** An item's curation state before an action: [id, class_id, split, excluded (0/1), exclude_reason]. */
export type ItemState = [number, number, Split | null, number, string | null]

/**
 * What undoing an action needs, applied in this order: re-create deleted classes, restore item states, restore
 * a class name, delete a class the action created, restore the dataset's split parameters.
 */
export interface Inverse {
  restoreClasses?: ClassRow[]
  items?: ItemState[]
  rename?: { classId: number; name: string }
  deleteClass?: number
  /** Present when the action changed the split parameters; null restores "never split". */
  splitConfigJson?: string | null
}

/** How many actions each dataset keeps on its undo stack. */
export const UNDO_DEPTH = 50

interface OpRow {
  id: number
  dataset_id: number
  kind: CurationOp['kind']
  summary: string
  inverse_json: string
  created_at: string
}

const toOp = (r: OpRow): CurationOp => ({
  id: r.id,
  datasetId: r.dataset_id,
  kind: r.kind,
  summary: r.summary,
  createdAt: r.created_at
})

/** Current states of items, for an inverse. */
export function captureItems(db: Catalog, itemIds: Iterable<number>): ItemState[] {
  const stmt = db.prepare('SELECT id, class_id, split, excluded, exclude_reason FROM dataset_items WHERE id = ?').raw()
  const out: ItemState[] = []
  for (const id of new Set(itemIds)) {
    const r = stmt.get(id) as ItemState | undefined
    if (r) out.push(r)
  }
  return out
}

/**
 * Pushes an action onto the dataset's undo stack (in the caller's transaction) and trims the stack to
 * `UNDO_DEPTH`. The stack lives in the catalog, so it survives restarts.
 */
export function pushOp(
  db: Catalog,
  datasetId: number,
  kind: CurationOp['kind'],
  summary: string,
  inverse: Inverse
): number {
  const id = db
    .prepare(
      'INSERT INTO dataset_curation_ops (dataset_id, kind, summary, inverse_json, created_at) VALUES (?, ?, ?, ?, ?)'
    )
    .run(datasetId, kind, summary, JSON.stringify(inverse), new Date().toISOString()).lastInsertRowid as number
  db.prepare(
    `DELETE FROM dataset_curation_ops WHERE dataset_id = ? AND id NOT IN
       (SELECT id FROM dataset_curation_ops WHERE dataset_id = ? ORDER BY id DESC LIMIT ?)`
  ).run(datasetId, datasetId, UNDO_DEPTH)
  return id
}

/** The undo stack, newest first. */
export function listOps(db: Catalog, datasetId: number): CurationOp[] {
  return (
    db.prepare('SELECT * FROM dataset_curation_ops WHERE dataset_id = ? ORDER BY id DESC').all(datasetId) as OpRow[]
  ).map(toOp)
}

/**
 * Undoes the newest `count` actions of a dataset, newest first, all in one transaction (all or none).
 * @returns the actions undone; fewer than `count` when the stack is shorter.
 * @throws AppError CONFLICT when the catalog changed outside the stack in a way that blocks the undo
 *   (e.g. an import re-created a merged class's name).
 */
export function undoOps(db: Catalog, datasetId: number, count: number): CurationOp[] {
  return db.transaction(() => {
    const rows = db
      .prepare('SELECT * FROM dataset_curation_ops WHERE dataset_id = ? ORDER BY id DESC LIMIT ?')
      .all(datasetId, count) as OpRow[]
    for (const r of rows) {
      try {
        applyInverse(db, datasetId, JSON.parse(r.inverse_json) as Inverse)
      } catch (err) {
        const msg = (err as Error).message
        throw new AppError('CONFLICT', `cannot undo "${r.summary}" (action ${r.id}): ${msg}`)
      }
      db.prepare('DELETE FROM dataset_curation_ops WHERE id = ?').run(r.id)
    }
    return rows.map(toOp)
  })()
}

function applyInverse(db: Catalog, datasetId: number, inv: Inverse): void {
  const addClass = db.prepare('INSERT INTO dataset_classes (id, dataset_id, name, created_at) VALUES (?, ?, ?, ?)')
  for (const c of inv.restoreClasses ?? []) addClass.run(c.id, datasetId, c.name, c.created_at)
  const setItem = db.prepare(
    'UPDATE dataset_items SET class_id = ?, split = ?, excluded = ?, exclude_reason = ? WHERE id = ? AND dataset_id = ?'
  )
  for (const [id, classId, split, excluded, reason] of inv.items ?? [])
    setItem.run(classId, split, excluded, reason, id, datasetId)
  if (inv.rename) {
    db.prepare('UPDATE dataset_classes SET name = ? WHERE id = ? AND dataset_id = ?').run(
      inv.rename.name,
      inv.rename.classId,
      datasetId
    )
  }
  if (inv.deleteClass !== undefined) {
    db.prepare('DELETE FROM dataset_classes WHERE id = ? AND dataset_id = ?').run(inv.deleteClass, datasetId)
  }
  if (inv.splitConfigJson !== undefined) {
    db.prepare('UPDATE datasets SET split_config_json = ? WHERE id = ?').run(inv.splitConfigJson, datasetId)
  }
  db.prepare('UPDATE datasets SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), datasetId)
}

import type { GroupBy, Split, SplitConfig, SplitReport } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { pushOp, type ItemState } from '../curation/op-log'
import { requireDataset, touchDataset } from '../store/datasets-store'
import { assignSplits, type SplitGroup } from './assign-splits'
import { groupItems, type GroupableItem } from './group-items'

interface SplitRow extends GroupableItem {
  classId: number
  split: Split | null
  excluded: number
  excludeReason: string | null
}

/** Items of a dataset with what grouping and splitting need. */
export function loadSplitRows(db: Catalog, datasetId: number): SplitRow[] {
  return db
    .prepare(
      `SELECT id, rel_path AS relPath, patient_id AS patientId, sha256, class_id AS classId, split, excluded,
         exclude_reason AS excludeReason, group_key AS fileGroup
       FROM dataset_items WHERE dataset_id = ? ORDER BY id`
    )
    .all(datasetId) as SplitRow[]
}

/**
 * Assigns train/val/test to every item of a dataset: stratified by label, and grouped (by patient, folder
 * level or regex, plus identical content) so that no group spans two splits. Excluded items are placed with
 * their group too, so including one later cannot leak; only included items count towards the fractions.
 * Undoable; the parameters are stored with the dataset (and later with each version).
 */
export function splitDataset(
  db: Catalog,
  datasetId: number,
  req: { val: number; test: number; seed: number; groupBy: GroupBy }
): SplitReport {
  const ds = requireDataset(db, datasetId)
  const train = 1 - req.val - req.test
  if (!(train > 0) || req.val < 0 || req.test < 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `split fractions val ${req.val} + test ${req.test} must leave room for train`
    )
  }
  const config: SplitConfig = {
    train: round6(train),
    val: req.val,
    test: req.test,
    seed: req.seed,
    groupBy: req.groupBy
  }
  const rows = loadSplitRows(db, datasetId)
  const { groups, withoutKey } = groupItems(rows, req.groupBy)
  const byId = new Map(rows.map((r) => [r.id, r]))
  const splitGroups: SplitGroup[] = groups.map((ids) => {
    const classCounts = new Map<number, number>()
    for (const id of ids) {
      const r = byId.get(id)!
      if (!r.excluded) classCounts.set(r.classId, (classCounts.get(r.classId) ?? 0) + 1)
    }
    return { itemIds: ids, classCounts }
  })
  const assignment = assignSplits(splitGroups, { train: config.train, val: config.val, test: config.test }, req.seed)

  const changed: ItemState[] = []
  for (const r of rows) {
    if (assignment.get(r.id) !== r.split) changed.push([r.id, r.classId, r.split, r.excluded, r.excludeReason])
  }
  const configJson = JSON.stringify(config)
  const opId = db.transaction(() => {
    const stmt = db.prepare('UPDATE dataset_items SET split = ? WHERE id = ?')
    for (const [id] of changed) stmt.run(assignment.get(id)!, id)
    if (changed.length === 0 && ds.split_config_json === configJson) return null
    db.prepare('UPDATE datasets SET split_config_json = ? WHERE id = ?').run(configJson, datasetId)
    touchDataset(db, datasetId)
    const summary = `split ${Math.round(config.train * 100)}/${Math.round(config.val * 100)}/${Math.round(config.test * 100)} seed ${config.seed} by ${describeGroupBy(config.groupBy)}`
    return pushOp(db, datasetId, 'split', summary, { items: changed, splitConfigJson: ds.split_config_json })
  })()

  const classNames = new Map(
    (
      db.prepare('SELECT id, name FROM dataset_classes WHERE dataset_id = ?').all(datasetId) as {
        id: number
        name: string
      }[]
    ).map((c) => [c.id, c.name])
  )
  const perSplit = {
    train: { items: 0, groups: 0, classes: {} as Record<string, number> },
    val: { items: 0, groups: 0, classes: {} as Record<string, number> },
    test: { items: 0, groups: 0, classes: {} as Record<string, number> }
  }
  for (const name of classNames.values()) for (const s of Object.values(perSplit)) s.classes[name] = 0
  for (const ids of groups) {
    const included = ids.map((id) => byId.get(id)!).filter((r) => !r.excluded)
    if (included.length === 0) continue
    const s = perSplit[assignment.get(ids[0])!]
    s.groups++
    for (const r of included) {
      s.items++
      const name = classNames.get(r.classId)!
      s.classes[name] = (s.classes[name] ?? 0) + 1
    }
  }
  let itemsWithoutGroupKey = 0
  if (req.groupBy.kind !== 'none') for (const id of withoutKey) if (!byId.get(id)!.excluded) itemsWithoutGroupKey++
  return {
    datasetId,
    config,
    groups: groups.length,
    itemsWithoutGroupKey,
    perSplit,
    changed: changed.length,
    opId
  }
}

/** "patient", "none", "folder level 1", "regex /…/". */
export function describeGroupBy(g: GroupBy): string {
  if (g.kind === 'folder') return `folder level ${g.level}`
  if (g.kind === 'regex') return `regex /${g.pattern}/`
  return g.kind
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

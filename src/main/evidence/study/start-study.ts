import type { GroupBy, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { createVersion, getDataset, readVersion } from '../../datasets'
import { groupItems } from '../../datasets/split/group-items'
import { groupedStratifiedFolds } from '../folds'
import type { StudyItem } from './fold-splits'
import { StudyStore } from './study-store'

/**
 * Creates a study: freezes the dataset's current curation as one version, groups its included items (same
 * group key under `groupBy`, or identical content) and assigns grouped stratified folds, stored per item.
 * @throws AppError INVALID_ARGUMENT when there are fewer than 2 classes or fewer groups than folds.
 */
export function createStudy(
  db: Catalog,
  req: { datasetId: number; folds: number; groupBy: GroupBy; seed: number; name?: string; config: TrainingConfig }
): number {
  const dataset = getDataset(db, req.datasetId)
  const versionId = createVersion(db, req.datasetId, `frozen for ${req.folds}-fold cross-validation`).id
  const { version, items } = readVersion(db, versionId)
  const usable = items.filter((i) => i.labelIndex >= 0)
  if (version.classes.length < 2) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `dataset "${dataset.name}" needs at least 2 classes with images to cross-validate`
    )
  }
  const relPaths = new Map(
    (
      db.prepare(`SELECT id, rel_path AS relPath FROM dataset_items WHERE dataset_id = ?`).all(req.datasetId) as {
        id: number
        relPath: string
      }[]
    ).map((r) => [r.id, r.relPath])
  )
  const { groups } = groupItems(
    usable.map((i) => ({
      id: i.itemId,
      relPath: relPaths.get(i.itemId) ?? '',
      patientId: i.patientId,
      sha256: i.sha256,
      fileGroup: i.groupKey
    })),
    req.groupBy
  )
  const groupOf = new Map<number, string>()
  groups.forEach((g, gi) => g.forEach((id) => groupOf.set(id, `g${gi}`)))
  const folds = groupedStratifiedFolds(
    usable.map((i) => ({ label: i.labelIndex, group: groupOf.get(i.itemId)! })),
    version.classes.length,
    req.folds,
    req.seed
  )
  const studyItems: StudyItem[] = usable.map((i, n) => ({
    itemId: i.itemId,
    fold: folds[n],
    label: i.labelIndex,
    groupKey: groupOf.get(i.itemId)!
  }))
  const store = new StudyStore(db)
  return store.create({
    name: req.name ?? `${dataset.name} ${req.folds}-fold CV #${store.list().length + 1}`,
    datasetId: req.datasetId,
    versionId,
    folds: req.folds,
    seed: req.seed,
    groupBy: req.groupBy,
    config: req.config,
    classNames: version.classes,
    items: studyItems
  })
}

/**
 * Creates a "repeat with N seeds" study on a frozen version (a new one from the current curation when none is
 * given): the version's own split, trained once per seed.
 * @throws AppError INVALID_ARGUMENT when the version has no train/val split or fewer than 2 classes.
 */
export function createSeedStudy(
  db: Catalog,
  req: { datasetId: number; versionId?: number; repeats: number; seed: number; name?: string; config: TrainingConfig }
): number {
  const dataset = getDataset(db, req.datasetId)
  const versionId = req.versionId ?? createVersion(db, req.datasetId, `frozen for ${req.repeats} seeds`).id
  const { version } = readVersion(db, versionId)
  if (version.datasetId !== req.datasetId) {
    throw new AppError('INVALID_ARGUMENT', `version ${versionId} belongs to another dataset`)
  }
  if (version.classes.length < 2) {
    throw new AppError('INVALID_ARGUMENT', `dataset "${dataset.name}" needs at least 2 classes with images`)
  }
  if (!version.counts.train || !version.counts.val || Object.keys(version.counts.val).length === 0) {
    throw new AppError('INVALID_ARGUMENT', `dataset "${dataset.name}" has no train/val split yet: split it first`)
  }
  const store = new StudyStore(db)
  return store.create({
    kind: 'seeds',
    name: req.name ?? `${dataset.name} × ${req.repeats} seeds #${store.list().length + 1}`,
    datasetId: req.datasetId,
    versionId,
    folds: req.repeats,
    seed: req.seed,
    groupBy: { kind: 'none' },
    config: req.config,
    classNames: version.classes,
    items: []
  })
}

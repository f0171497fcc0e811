import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { foldSplits } from './fold-splits'
import { StudyStore } from './study-store'

/**
 * The splits a run trains on when it is a fold of a cross-validation study (its fold = test, the rest
 * re-split into train/val), or null for an ordinary run, which uses its dataset version's splits.
 */
export function studySplitsForRun(db: Catalog, runId: number): Map<number, 'train' | 'val' | 'test'> | null {
  const store = new StudyStore(db)
  const f = store.foldOfRun(runId)
  if (!f) return null
  const spec = store.spec(f.studyId)
  // A seeds study's runs train the version's own split.
  if (spec.kind !== 'cv') return null
  return foldSplits(store.items(f.studyId), spec.classNames.length, f.fold, spec.seed)
}

/** Checks that a fold slot exists and belongs to the dataset version a run is started on. */
export function checkFoldSlot(db: Catalog, studyId: number, fold: number, datasetId: number): number {
  const spec = new StudyStore(db).spec(studyId)
  if (spec.datasetId !== datasetId)
    throw new AppError('INVALID_ARGUMENT', `study ${studyId} belongs to another dataset`)
  if (fold >= spec.folds)
    throw new AppError('INVALID_ARGUMENT', `study ${studyId} has ${spec.folds} folds, not fold ${fold + 1}`)
  return spec.versionId
}

/** Records that a run trains a study's fold (before it launches, so its launch reads the fold's splits). */
export function attachFoldRun(db: Catalog, studyId: number, fold: number, runId: number): void {
  new StudyStore(db).attachRun(studyId, fold, runId)
}

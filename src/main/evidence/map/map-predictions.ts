import type { MapPredictions } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { readVersion } from '../../datasets'
import { RunStore } from '../../training/runs/run-store'
import { StudyStore } from '../study/study-store'

/** Argmax and its probability of each row of a row-major n × k probability matrix. */
function argmaxRows(probs: ArrayLike<number>, k: number): { predicted: number[]; confidence: number[] } {
  const n = Math.floor(probs.length / k)
  const predicted: number[] = []
  const confidence: number[] = []
  for (let r = 0; r < n; r++) {
    let best = 0
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c
    predicted.push(best)
    confidence.push(probs[r * k + best])
  }
  return { predicted, confidence }
}

/**
 * A completed run's stored held-out predictions (its evaluation: the test split, or val when the version had
 * none), with each item's label in the run's frozen version.
 * @throws AppError NOT_FOUND for an unknown run; INVALID_ARGUMENT for a run of another dataset or one without
 * stored predictions (not completed, or evaluated before predictions were stored).
 */
export function runMapPredictions(db: Catalog, datasetId: number, runId: number): MapPredictions {
  const run = new RunStore(db).detail(runId)
  if (run.datasetId !== datasetId)
    throw new AppError('INVALID_ARGUMENT', `run ${runId} trained on another dataset ("${run.datasetName}")`)
  const p = run.evaluation?.predictions
  if (run.status !== 'completed' || !run.evaluation || !p)
    throw new AppError('INVALID_ARGUMENT', `run ${runId} is ${run.status} and has no stored predictions to colour by`)
  const labelOf = new Map(readVersion(db, run.versionId).items.map((i) => [i.itemId, i.labelIndex]))
  const split = run.evaluation.split === 'test' ? 'test' : 'val'
  return {
    datasetId,
    source: { kind: 'run', id: runId, name: run.name },
    split,
    description:
      `run ${runId} "${run.name}": its ${split} split, held out from training (${p.itemIds.length} items)` +
      (split === 'val' ? '; the validation split chose the checkpoint, so these look better than new data would' : ''),
    classNames: run.classNames,
    itemIds: p.itemIds,
    ...argmaxRows(p.probs, run.classNames.length),
    labels: p.itemIds.map((id) => labelOf.get(id) ?? -1)
  }
}

/**
 * A completed cross-validation study's out-of-fold predictions: every item predicted by the fold's model that
 * did not train on it, with its label in the study's frozen version.
 * @throws AppError NOT_FOUND for an unknown study; INVALID_ARGUMENT for another dataset's study, a seeds study
 * or one that has not completed.
 */
export function studyMapPredictions(db: Catalog, datasetId: number, studyId: number): MapPredictions {
  const store = new StudyStore(db)
  const s = store.detail(studyId)
  if (s.datasetId !== datasetId)
    throw new AppError('INVALID_ARGUMENT', `study ${studyId} belongs to another dataset ("${s.datasetName}")`)
  if (s.kind !== 'cv' || s.status !== 'completed')
    throw new AppError(
      'INVALID_ARGUMENT',
      `study ${studyId} is ${s.kind === 'cv' ? s.status : 'a seeds study'}: only a completed cross-validation study has out-of-fold predictions for every item`
    )
  const rows = store.outOfFold(studyId).filter((r) => r.probs !== null)
  const k = s.classNames.length
  return {
    datasetId,
    source: { kind: 'study', id: studyId, name: s.name },
    split: 'out-of-fold',
    description: `study ${studyId} "${s.name}": out-of-fold, each item predicted by the fold model that did not train on it (${rows.length} items)`,
    classNames: s.classNames,
    itemIds: rows.map((r) => r.itemId),
    ...argmaxRows(
      rows.flatMap((r) => r.probs!),
      k
    ),
    labels: rows.map((r) => r.label)
  }
}

import type { LabelIssueReport } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { findLabelIssues } from '../label-issues'
import { StudyStore } from './study-store'

/**
 * Label issues of a dataset from a cross-validation study's out-of-fold probabilities (the latest completed
 * study when none is named), with each item's path and class names.
 * @throws AppError NOT_FOUND when the dataset has no completed study, INVALID_ARGUMENT for another dataset's study.
 */
export function labelIssueReport(db: Catalog, datasetId: number, studyId?: number): LabelIssueReport {
  const store = new StudyStore(db)
  const id = studyId ?? store.latestCompleted(datasetId)
  if (id === null) {
    throw new AppError(
      'NOT_FOUND',
      `dataset ${datasetId} has no completed cross-validation study: run one first (neuropath cv), its out-of-fold predictions are what the ranking needs`
    )
  }
  const spec = store.spec(id)
  if (spec.datasetId !== datasetId) throw new AppError('INVALID_ARGUMENT', `study ${id} belongs to another dataset`)
  const oof = store.outOfFold(id).filter((o) => o.probs !== null)
  const K = spec.classNames.length
  const probs = oof.flatMap((o) => o.probs!)
  const issues = findLabelIssues(
    probs,
    oof.map((o) => o.label),
    K,
    'normalized-margin'
  )
  const paths = new Map(
    (
      db.prepare('SELECT id, path FROM dataset_items WHERE dataset_id = ?').all(datasetId) as {
        id: number
        path: string
      }[]
    ).map((r) => [r.id, r.path])
  )
  const flagged = new Set(issues.map((x) => x.index))
  const typical = spec.classNames.map((_, k) =>
    oof
      .map((o, i) => ({ i, o }))
      .filter(({ i, o }) => o.label === k && !flagged.has(i))
      .sort((a, b) => b.o.probs![k] - a.o.probs![k])
      .slice(0, 4)
      .map(({ o }) => o.itemId)
  )
  const flaggedFolds = (
    db
      .prepare(
        `SELECT c.fold, json_extract(r.verdict_json, '$.kind') AS kind FROM cv_study_runs c JOIN runs r ON r.id = c.run_id
         WHERE c.study_id = ? ORDER BY c.fold`
      )
      .all(id) as { fold: number; kind: string | null }[]
  ).filter((f) => f.kind === 'did-not-learn' || f.kind === 'overfit')
  return {
    datasetId,
    typical,
    warning: flaggedFolds.length
      ? `fold(s) ${flaggedFolds.map((f) => `${f.fold + 1} (${f.kind})`).join(', ')} did not give a usable model: their out-of-fold probabilities say little about the labels, so do not trust this ranking`
      : null,
    studyId: id,
    classNames: spec.classNames,
    examined: oof.length,
    method:
      'confident learning (Northcutt et al. 2021) on out-of-fold probabilities: per-class thresholds = mean self-confidence of each class; items confidently of another class than their label are listed, most likely wrong (lowest normalized margin) first',
    items: issues.map((x) => {
      const o = oof[x.index]
      return {
        itemId: o.itemId,
        path: paths.get(o.itemId) ?? '',
        given: spec.classNames[x.given],
        suggested: spec.classNames[x.suggested],
        score: x.score,
        probs: o.probs!
      }
    })
  }
}

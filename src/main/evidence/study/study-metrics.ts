import type { Evaluation, StudyMetrics } from '../../../shared/contract'
import { bootstrapIntervals } from '../bootstrap'
import { summariseAcross } from '../out-of-fold'

/**
 * A study's summary: each fold's metrics on its held-out items, their mean ± SD and t interval over folds,
 * and bootstrap intervals on the pooled out-of-fold predictions (resampling groups, the study's patients).
 */
export function studyMetrics(
  folds: readonly { fold: number; runId: number; evaluation: Evaluation }[],
  oof: { probs: ArrayLike<number>; labels: ArrayLike<number>; groups?: readonly (string | null)[] } | null,
  numClasses: number,
  seed: number
): StudyMetrics {
  const perFold = folds.map(({ fold, runId, evaluation: e }) => ({
    fold,
    runId,
    n: e.n,
    accuracy: e.accuracy,
    macroF1: e.macroF1,
    auc: e.macroAuc
  }))
  return {
    perFold,
    accuracy: summariseAcross(perFold.map((f) => f.accuracy)),
    macroF1: summariseAcross(perFold.map((f) => f.macroF1)),
    auc: summariseAcross(perFold.map((f) => f.auc)),
    pooled: oof ? bootstrapIntervals(oof.probs, oof.labels, numClasses, { seed, groups: oof.groups }) : null
  }
}

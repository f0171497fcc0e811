import type { AcrossRuns } from '../../shared/contract/evidence'
import { AppError } from '../../shared/errors'

/** One fold's predictions on its held-out items. */
export interface FoldPredictions {
  fold: number
  /** Item indices (into the study's item list) predicted, in the order of `probs` rows. */
  indices: ArrayLike<number>
  /** `indices.length × numClasses` probabilities, row-major. */
  probs: ArrayLike<number>
}

/**
 * Assembles out-of-fold probabilities (`items × numClasses`) from each fold's held-out predictions, checking
 * that every item is predicted exactly once and only by the fold that held it out (never by a model that
 * trained on it).
 * @throws AppError INTERNAL naming the item when that does not hold.
 */
export function assembleOutOfFold(
  folds: Int32Array,
  numClasses: number,
  predictions: readonly FoldPredictions[]
): Float32Array {
  const K = numClasses
  const out = new Float32Array(folds.length * K)
  const seen = new Uint8Array(folds.length)
  for (const p of predictions) {
    for (let r = 0; r < p.indices.length; r++) {
      const i = p.indices[r]
      if (!(i >= 0 && i < folds.length))
        throw new AppError('INTERNAL', `fold ${p.fold} predicted an item outside the study`)
      if (folds[i] !== p.fold) {
        throw new AppError('INTERNAL', `item ${i} was predicted by fold ${p.fold} but belongs to fold ${folds[i]}`)
      }
      if (seen[i]) throw new AppError('INTERNAL', `item ${i} has two out-of-fold predictions`)
      seen[i] = 1
      for (let k = 0; k < K; k++) out[i * K + k] = p.probs[r * K + k]
    }
  }
  const missing = seen.indexOf(0)
  if (missing >= 0) throw new AppError('INTERNAL', `item ${missing} has no out-of-fold prediction`)
  return out
}

// Student t 0.975 quantiles for 1..30 degrees of freedom; beyond that the normal 1.96 is within 2 %.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042
]

/**
 * Mean, SD and t-based 95 % interval of per-fold (or per-seed) values; NaN values are left out. The interval
 * is clipped to `bounds` (default [0, 1], the range of accuracy, F1 and AUC): with few folds near a bound,
 * mean ± t·SD/√n can otherwise pass it.
 */
export function summariseAcross(values: readonly (number | null)[], bounds: [number, number] = [0, 1]): AcrossRuns {
  const xs = values.filter((v): v is number => v !== null && !Number.isNaN(v))
  const n = xs.length
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0
  const half = n > 1 ? ((T975[n - 2] ?? 1.96) * sd) / Math.sqrt(n) : 0
  return { mean, sd, ci95: [Math.max(bounds[0], mean - half), Math.min(bounds[1], mean + half)], n }
}

import { AppError } from '../../../shared/errors'

/**
 * Checks that `probs` is `labels.length × numClasses` (row-major) and every label is a class index.
 * All metric functions take probabilities in this flat layout (as predictSource returns them).
 */
export function checkPredictions(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  what: string
): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new AppError('INVALID_ARGUMENT', `${what}: numClasses must be an integer ≥ 2, got ${numClasses}`)
  }
  if (probs.length !== labels.length * numClasses) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what}: ${probs.length} probabilities do not make ${labels.length} rows × ${numClasses} classes`
    )
  }
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]
    if (!(Number.isInteger(k) && k >= 0 && k < numClasses)) {
      throw new AppError('INVALID_ARGUMENT', `${what}: label ${k} of row ${i} is outside [0, ${numClasses})`)
    }
  }
}

/** Argmax of each row (ties go to the lowest class index, as numpy's argmax). */
export function predictedClasses(probs: ArrayLike<number>, numClasses: number): Int32Array {
  const n = Math.floor(probs.length / numClasses)
  const out = new Int32Array(n)
  for (let r = 0; r < n; r++) {
    let best = 0
    let bestP = probs[r * numClasses]
    for (let k = 1; k < numClasses; k++) {
      const p = probs[r * numClasses + k]
      if (p > bestP) {
        bestP = p
        best = k
      }
    }
    out[r] = best
  }
  return out
}

/** Fraction of rows whose argmax equals the label, in [0, 1] (NaN for no rows). */
export function accuracy(probs: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  checkPredictions(probs, labels, numClasses, 'accuracy')
  const pred = predictedClasses(probs, numClasses)
  let correct = 0
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) correct++
  return correct / pred.length
}

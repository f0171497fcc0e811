import { AppError } from '../../../shared/errors'

/**
 * scikit-learn's `compute_class_weight('balanced')`: weight_k = n / (K · count_k), so every class
 * contributes equally to the loss. Classes absent from `labels` get weight 0 (they never occur).
 */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0)
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i]
    if (!(Number.isInteger(k) && k >= 0 && k < numClasses)) {
      throw new AppError('INVALID_ARGUMENT', `balancedClassWeights: label ${k} at ${i} is outside [0, ${numClasses})`)
    }
    counts[k]++
  }
  return counts.map((c) => (c === 0 ? 0 : labels.length / (numClasses * c)))
}

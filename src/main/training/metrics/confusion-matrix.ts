/**
 * Confusion matrix `m[true][predicted]` (counts), `numClasses × numClasses`, as scikit-learn's
 * `confusion_matrix(y_true, y_pred)`.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0))
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++
  return m
}

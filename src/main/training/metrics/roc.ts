/** A ROC curve: points ordered by decreasing threshold, starting at (0, 0) with threshold +∞. */
export interface RocCurve {
  fpr: number[]
  tpr: number[]
  thresholds: number[]
  /** Area under the curve (trapezoids, so tied scores count ½); null when the class has no positives or no negatives. */
  auc: number | null
}

/**
 * ROC of binary scores: every distinct score is a threshold (scikit-learn's roc_curve with
 * drop_intermediate=False). `positive[i]` says whether sample i belongs to the positive class.
 */
export function rocCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): RocCurve {
  const n = scores.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a])
  let totalPos = 0
  for (let i = 0; i < n; i++) if (positive[i]) totalPos++
  const totalNeg = n - totalPos
  const fpr = [0]
  const tpr = [0]
  const thresholds = [Infinity]
  let tp = 0
  let fp = 0
  for (let i = 0; i < n;) {
    const s = scores[order[i]]
    // All samples tied at this score cross the threshold together.
    while (i < n && scores[order[i]] === s) {
      if (positive[order[i]]) tp++
      else fp++
      i++
    }
    fpr.push(totalNeg === 0 ? 0 : fp / totalNeg)
    tpr.push(totalPos === 0 ? 0 : tp / totalPos)
    thresholds.push(s)
  }
  let auc: number | null = null
  if (totalPos > 0 && totalNeg > 0) {
    auc = 0
    for (let i = 1; i < fpr.length; i++) auc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2
  }
  return { fpr, tpr, thresholds, auc }
}

/** One-vs-rest ROC curves of every class from `rows × numClasses` probabilities, and their mean AUC. */
export function oneVsRestRoc(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number
): { perClass: RocCurve[]; macroAuc: number | null } {
  const n = labels.length
  const perClass: RocCurve[] = []
  for (let k = 0; k < numClasses; k++) {
    const scores = new Float64Array(n)
    const positive: boolean[] = new Array<boolean>(n)
    for (let i = 0; i < n; i++) {
      scores[i] = probs[i * numClasses + k]
      positive[i] = labels[i] === k
    }
    perClass.push(rocCurve(scores, positive))
  }
  // Classes without positives or negatives have no AUC and are left out of the mean.
  const defined = perClass.map((c) => c.auc).filter((a): a is number => a !== null)
  return { perClass, macroAuc: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null }
}

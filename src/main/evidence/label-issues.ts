import { checkPredictions } from '../training/metrics/predictions'

/** How a flagged item is scored; lower = more likely mislabelled. */
export type LabelQualityScore = 'self-confidence' | 'normalized-margin'

/** One item whose given label confident learning doubts. */
export interface LabelIssue {
  /** Row index in the probabilities given. */
  index: number
  /** Class index of the given label. */
  given: number
  /** Class index confident learning assigns (the most probable class whose threshold the item reaches). */
  suggested: number
  /**
   * Label quality in [0, 1], lower = more likely wrong: self-confidence p[given], or normalized margin
   * (p[given] − max_{j≠given} p[j] + 1) / 2.
   */
  score: number
}

/**
 * Confident learning (Northcutt, Jiang & Chuang, "Confident Learning", JAIR 2021) on out-of-fold
 * probabilities (`rows × numClasses`, row-major): the threshold of class j is the mean predicted p[j] over
 * items labelled j; an item counts as confidently of class j when p[j] reaches t_j (the most probable such j
 * when several do). Items whose confident class differs from the given label (off-diagonal entries of the
 * confident joint) are returned, ranked most likely wrong first by `score`.
 */
export function findLabelIssues(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  score: LabelQualityScore = 'normalized-margin'
): LabelIssue[] {
  checkPredictions(probs, labels, numClasses, 'findLabelIssues')
  const K = numClasses
  const n = labels.length
  const sum = new Float64Array(K)
  const count = new Float64Array(K)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < K; j++) if (labels[i] === j) sum[j] += probs[i * K + j]
    count[labels[i]]++
  }
  // A class nobody is labelled with has no threshold, so nothing can be confidently of it.
  const threshold = Array.from(sum, (s, j) => (count[j] ? s / count[j] : Infinity))
  const issues: LabelIssue[] = []
  for (let i = 0; i < n; i++) {
    let confident = -1
    for (let j = 0; j < K; j++) {
      const p = probs[i * K + j]
      if (p >= threshold[j] && (confident < 0 || p > probs[i * K + confident])) confident = j
    }
    const given = labels[i]
    if (confident < 0 || confident === given) continue
    const self = probs[i * K + given]
    let other = -Infinity
    for (let j = 0; j < K; j++) if (j !== given) other = Math.max(other, probs[i * K + j])
    issues.push({
      index: i,
      given,
      suggested: confident,
      score: score === 'self-confidence' ? self : (self - other + 1) / 2
    })
  }
  return issues.sort((a, b) => a.score - b.score || a.index - b.index)
}

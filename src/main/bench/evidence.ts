import { bootstrapIntervals } from '../evidence/bootstrap'
import { groupedStratifiedFolds } from '../evidence/folds'
import { findLabelIssues } from '../evidence/label-issues'
import { mulberry32 } from '../training/loop/random'

/** Synthetic `n × k` probabilities, about 80 % accurate, with 5 slices per patient. */
function predictions(n: number, k: number) {
  const rng = mulberry32(3)
  const probs = new Float32Array(n * k)
  const labels = new Int32Array(n)
  const groups: string[] = []
  for (let i = 0; i < n; i++) {
    labels[i] = i % k
    groups.push(`patient:${Math.floor(i / 5)}`)
    let s = 0
    for (let c = 0; c < k; c++) s += probs[i * k + c] = rng() + (c === labels[i] ? 1.2 * rng() : 0)
    for (let c = 0; c < k; c++) probs[i * k + c] /= s
  }
  return { probs, labels, groups }
}

/**
 * Evidence figures: bootstrap intervals (1,000 resamples, accuracy, macro F1, per-class sensitivity and
 * specificity, AUC) on 5,000 predictions of 3 classes, by image and by patient (target ≤ 1 s each); grouped
 * stratified 5-fold assignment and confident-learning label issues on 20,000 items.
 */
export async function benchEvidence(): Promise<Record<string, number | string>> {
  const { probs, labels, groups } = predictions(5000, 3)
  const time = <T>(f: () => T): [T, number] => {
    const t = performance.now()
    const r = f()
    return [r, (performance.now() - t) / 1000]
  }
  const [items, itemsSeconds] = time(() => bootstrapIntervals(probs, labels, 3, { resamples: 1000, seed: 1 }))
  const [, groupsSeconds] = time(() => bootstrapIntervals(probs, labels, 3, { resamples: 1000, seed: 1, groups }))
  if (itemsSeconds > 1 || groupsSeconds > 1) {
    throw new Error(
      `bootstrap of 1000 resamples on 5000 predictions took ${itemsSeconds.toFixed(2)} s / ${groupsSeconds.toFixed(2)} s (target ≤ 1 s)`
    )
  }
  const big = predictions(20000, 5)
  const foldItems = Array.from(big.labels, (label, i) => ({ label, group: big.groups[i] }))
  const [, foldSeconds] = time(() => groupedStratifiedFolds(foldItems, 5, 5, 0))
  const [issues, issueSeconds] = time(() => findLabelIssues(big.probs, big.labels, 5))
  return {
    bootstrap5000x1000Seconds: Number(itemsSeconds.toFixed(3)),
    bootstrap5000x1000ByPatientSeconds: Number(groupsSeconds.toFixed(3)),
    bootstrapAccuracy: `${items.accuracy.estimate.toFixed(3)} [${items.accuracy.lower.toFixed(3)}–${items.accuracy.upper.toFixed(3)}]`,
    folds20000Seconds: Number(foldSeconds.toFixed(3)),
    labelIssues20000Seconds: Number(issueSeconds.toFixed(3)),
    labelIssuesFlagged: issues.length
  }
}

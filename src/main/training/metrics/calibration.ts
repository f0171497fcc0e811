/** One reliability-diagram bin over top-label confidence (lower, upper]. */
export interface ReliabilityBin {
  lower: number
  upper: number
  /** Samples whose confidence falls in the bin. */
  count: number
  /** Mean top-label probability of those samples; null for an empty bin. */
  confidence: number | null
  /** Fraction of them predicted correctly; null for an empty bin. */
  accuracy: number | null
}

/** Calibration summary of a classifier. */
export interface Calibration {
  /** Expected calibration error: Σ_b (n_b / N)·|accuracy_b − confidence_b|, in [0, 1]. */
  ece: number
  /** Maximum calibration error over non-empty bins. */
  mce: number
  bins: ReliabilityBin[]
}

/** Bin of a confidence for equal-width (lower, upper] bins, confidence 0 in the first bin (Guo et al. 2017). */
function binOf(conf: number, bins: number): number {
  let b = Math.ceil(conf * bins) - 1
  // Correct float rounding of conf·bins at the edges (0.3·10 = 3.0000000000000004).
  if (b > 0 && conf <= b / bins) b--
  if (b < bins - 1 && conf > (b + 1) / bins) b++
  return Math.min(Math.max(b, 0), bins - 1)
}

/**
 * Expected calibration error and reliability bins from `rows × numClasses` probabilities, using the
 * top-label confidence (max probability) and whether the argmax is the label. Default 10 bins.
 */
export function calibration(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  bins = 10
): Calibration {
  const n = labels.length
  const count = new Array<number>(bins).fill(0)
  const confSum = new Array<number>(bins).fill(0)
  const correctSum = new Array<number>(bins).fill(0)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let k = 1; k < numClasses; k++) if (probs[i * numClasses + k] > probs[i * numClasses + best]) best = k
    const conf = probs[i * numClasses + best]
    const b = binOf(conf, bins)
    count[b]++
    confSum[b] += conf
    if (best === labels[i]) correctSum[b]++
  }
  let ece = 0
  let mce = 0
  const out: ReliabilityBin[] = []
  for (let b = 0; b < bins; b++) {
    const c = count[b]
    const confidence = c ? confSum[b] / c : null
    const acc = c ? correctSum[b] / c : null
    if (c) {
      const gap = Math.abs((acc as number) - (confidence as number))
      ece += (c / n) * gap
      mce = Math.max(mce, gap)
    }
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: c, confidence, accuracy: acc })
  }
  return { ece, mce, bins: out }
}

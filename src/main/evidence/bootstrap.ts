import type { Interval, MetricIntervals } from '../../shared/contract/evidence'
import { checkPredictions, predictedClasses } from '../training/metrics/predictions'
import { deriveSeed, mulberry32 } from '../training/loop/random'
import { percentile } from './percentile'

export type { Interval, MetricIntervals }

export interface BootstrapOptions {
  /** Resamples, default 1000. */
  resamples?: number
  seed?: number
  /** Central coverage, default 0.95. */
  level?: number
  /**
   * Group key of each row (e.g. the DICOM PatientID (0010,0020)); when any row has one, whole groups are
   * resampled, because slices of one patient are not independent. null rows count as their own group.
   */
  groups?: readonly (string | null)[]
}

/**
 * Percentile-bootstrap intervals for accuracy, macro F1, per-class sensitivity/specificity and AUC from
 * `rows × numClasses` probabilities (row-major). Each resample is a vector of draw counts per row, so every
 * metric is a weighted sum over the original rows: no copy of the data, and AUC walks a score order sorted
 * once per class (O(rows) per resample and class). Resamples where a metric is undefined (a class without
 * positives) are left out of that metric's percentiles.
 */
export function bootstrapIntervals(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  opts: BootstrapOptions = {}
): MetricIntervals {
  checkPredictions(probs, labels, numClasses, 'bootstrapIntervals')
  const B = opts.resamples ?? 1000
  const seed = opts.seed ?? 0
  const level = opts.level ?? 0.95
  const n = labels.length
  const K = numClasses
  const pred = predictedClasses(probs, K)
  const label = Int32Array.from(labels as ArrayLike<number>)

  // Resampling units: groups of rows.
  const useGroups = !!opts.groups && opts.groups.some((g) => g !== null)
  const unitOf = new Int32Array(n)
  let units = n
  if (useGroups) {
    const byKey = new Map<string, number>()
    units = 0
    for (let i = 0; i < n; i++) {
      const key = opts.groups![i]
      let u = key === null ? undefined : byKey.get(key)
      if (u === undefined) {
        u = units++
        if (key !== null) byKey.set(key, u)
      }
      unitOf[i] = u
    }
  } else for (let i = 0; i < n; i++) unitOf[i] = i
  // Rows of each unit, as a CSR list.
  const start = new Int32Array(units + 1)
  for (let i = 0; i < n; i++) start[unitOf[i] + 1]++
  for (let u = 0; u < units; u++) start[u + 1] += start[u]
  const rows = new Int32Array(n)
  const fill = start.slice(0, units)
  for (let i = 0; i < n; i++) rows[fill[unitOf[i]]++] = i

  // Per class: rows sorted by score (descending) and the ends of tied blocks.
  const orders: Int32Array[] = []
  const blockEnds: Int32Array[] = []
  for (let k = 0; k < K; k++) {
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => probs[b * K + k] - probs[a * K + k])
    const ends: number[] = []
    for (let j = 1; j <= n; j++) if (j === n || probs[order[j] * K + k] !== probs[order[j - 1] * K + k]) ends.push(j)
    orders.push(order)
    blockEnds.push(Int32Array.from(ends))
  }

  const w = new Float64Array(n)
  const conf = new Float64Array(K * K)
  const rowSum = new Float64Array(K)
  const colSum = new Float64Array(K)
  const stats = (): number[] => {
    // [accuracy, macroF1, macroAuc, sens_0, spec_0, auc_0, sens_1, …]; NaN = undefined in this resample.
    conf.fill(0)
    let total = 0
    for (let i = 0; i < n; i++) if (w[i]) conf[label[i] * K + pred[i]] += w[i]
    rowSum.fill(0)
    colSum.fill(0)
    let correct = 0
    for (let t = 0; t < K; t++) {
      for (let p = 0; p < K; p++) {
        rowSum[t] += conf[t * K + p]
        colSum[p] += conf[t * K + p]
      }
      correct += conf[t * K + t]
      total += rowSum[t]
    }
    const out = [correct / total, 0, NaN]
    let f1Sum = 0
    let aucSum = 0
    let aucCount = 0
    for (let k = 0; k < K; k++) {
      const tp = conf[k * K + k]
      const precision = colSum[k] ? tp / colSum[k] : 0
      const recall = rowSum[k] ? tp / rowSum[k] : 0
      f1Sum += precision + recall ? (2 * precision * recall) / (precision + recall) : 0
      const negatives = total - rowSum[k]
      const auc = weightedAuc(orders[k], blockEnds[k], label, k, w, rowSum[k], negatives)
      if (!Number.isNaN(auc)) {
        aucSum += auc
        aucCount++
      }
      out.push(rowSum[k] ? recall : NaN, negatives ? (negatives - (colSum[k] - tp)) / negatives : NaN, auc)
    }
    out[1] = f1Sum / K
    out[2] = aucCount ? aucSum / aucCount : NaN
    return out
  }

  w.fill(1)
  const point = stats()
  const samples = point.map(() => new Float64Array(B))
  const rng = mulberry32(deriveSeed(seed, 'bootstrap', useGroups ? 'groups' : 'items'))
  for (let b = 0; b < B; b++) {
    w.fill(0)
    for (let d = 0; d < units; d++) {
      const u = Math.floor(rng() * units)
      for (let j = start[u]; j < start[u + 1]; j++) w[rows[j]]++
    }
    const s = stats()
    for (let m = 0; m < s.length; m++) samples[m][b] = s[m]
  }
  const alpha = (1 - level) / 2
  const interval = (m: number): Interval | null => {
    if (Number.isNaN(point[m])) return null
    const defined = samples[m].filter((v) => !Number.isNaN(v))
    if (defined.length === 0) return null
    defined.sort()
    return {
      estimate: point[m],
      lower: percentile(defined, alpha),
      upper: percentile(defined, 1 - alpha)
    }
  }
  const what = useGroups ? `${units} patients/groups (cluster bootstrap)` : `${units} images`
  return {
    method: useGroups ? 'groups' : 'items',
    description: `percentile bootstrap, ${B} resamples of ${what}, seed ${seed}, ${Math.round(level * 100)} % intervals`,
    resamples: B,
    units,
    level,
    seed,
    accuracy: interval(0)!,
    macroF1: interval(1)!,
    macroAuc: interval(2),
    perClass: Array.from({ length: K }, (_, k) => ({
      sensitivity: interval(3 + 3 * k),
      specificity: interval(4 + 3 * k),
      auc: interval(5 + 3 * k)
    }))
  }
}

/**
 * One-vs-rest AUC of class k with row weights: Σ over negatives of (positives scored higher + ½ tied) /
 * (P·N), walking the descending score order block by block (equal to the trapezoid rule of rocCurve).
 */
function weightedAuc(
  order: Int32Array,
  ends: Int32Array,
  label: Int32Array,
  k: number,
  w: Float64Array,
  positives: number,
  negatives: number
): number {
  if (!positives || !negatives) return NaN
  let above = 0
  let sum = 0
  let j = 0
  for (let e = 0; e < ends.length; e++) {
    let wp = 0
    let wn = 0
    for (const end = ends[e]; j < end; j++) {
      const i = order[j]
      const wi = w[i]
      if (!wi) continue
      if (label[i] === k) wp += wi
      else wn += wi
    }
    sum += wn * (above + wp / 2)
    above += wp
  }
  return sum / (positives * negatives)
}

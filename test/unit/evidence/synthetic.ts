import { groupedStratifiedFolds } from '../../../src/main/evidence/folds'
import { mulberry32 } from '../../../src/main/training/loop/random'

/** A generated dataset: 2-D points around one centre per class, with optional patient groups. */
export interface Synthetic {
  x: Float64Array
  labels: number[]
  groups: (string | null)[]
}

/** `perClass` points per class around centres on a circle of radius `radius` (σ = 1): separable when radius ≫ 1. */
export function clusters(
  numClasses: number,
  perClass: number,
  radius: number,
  seed: number,
  slicesPerPatient = 1
): Synthetic {
  const rng = mulberry32(seed)
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  const x: number[] = []
  const labels: number[] = []
  const groups: (string | null)[] = []
  for (let k = 0; k < numClasses; k++) {
    const a = (2 * Math.PI * k) / numClasses
    for (let i = 0; i < perClass; i++) {
      x.push(radius * Math.cos(a) + gauss(), radius * Math.sin(a) + gauss())
      labels.push(k)
      groups.push(slicesPerPatient > 1 ? `p${k}-${Math.floor(i / slicesPerPatient)}` : null)
    }
  }
  return { x: Float64Array.from(x), labels, groups }
}

/**
 * Out-of-fold probabilities of a nearest-centroid softmax classifier: each fold's items are scored by
 * centroids fitted on the other folds only.
 */
export function outOfFoldCentroid(
  d: Synthetic,
  numClasses: number,
  k: number,
  seed: number
): { probs: Float32Array; folds: Int32Array } {
  const n = d.labels.length
  const folds = groupedStratifiedFolds(
    d.labels.map((label, i) => ({ label, group: d.groups[i] })),
    numClasses,
    k,
    seed
  )
  const probs = new Float32Array(n * numClasses)
  for (let f = 0; f < k; f++) {
    const c = new Float64Array(numClasses * 2)
    const cnt = new Float64Array(numClasses)
    for (let i = 0; i < n; i++) {
      if (folds[i] === f) continue
      c[d.labels[i] * 2] += d.x[i * 2]
      c[d.labels[i] * 2 + 1] += d.x[i * 2 + 1]
      cnt[d.labels[i]]++
    }
    for (let j = 0; j < numClasses; j++) {
      c[j * 2] /= cnt[j]
      c[j * 2 + 1] /= cnt[j]
    }
    for (let i = 0; i < n; i++) {
      if (folds[i] !== f) continue
      const logits = Array.from(
        { length: numClasses },
        (_, j) => -((d.x[i * 2] - c[j * 2]) ** 2 + (d.x[i * 2 + 1] - c[j * 2 + 1]) ** 2) / 2
      )
      const m = Math.max(...logits)
      const e = logits.map((l) => Math.exp(l - m))
      const s = e.reduce((a, b) => a + b, 0)
      e.forEach((v, j) => (probs[i * numClasses + j] = v / s))
    }
  }
  return { probs, folds }
}

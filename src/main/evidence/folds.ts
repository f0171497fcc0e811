import { AppError } from '../../shared/errors'
import { deriveSeed, mulberry32, shuffledIndices } from '../training/loop/random'

/** What fold assignment needs to know about one item. */
export interface FoldItem {
  /** Class index in [0, numClasses). */
  label: number
  /**
   * Group key (e.g. `patient:<PatientID>`): items sharing a key always land in the same fold. null = the item
   * is its own group.
   */
  group: string | null
}

/**
 * Grouped, stratified k-fold assignment (the greedy scheme of scikit-learn's StratifiedGroupKFold):
 * groups are shuffled with the seed, ordered by how unevenly their classes are spread (most uneven first,
 * so the hard ones are placed while every fold is still open), and each group goes to the fold where the
 * per-class fractions across folds stay most even; ties go to the fold with fewest items.
 * @returns the fold (0..k-1) of each item, in input order. Every item is in exactly one fold.
 * @throws AppError INVALID_ARGUMENT when k < 2 or there are fewer groups than folds.
 */
export function groupedStratifiedFolds(
  items: readonly FoldItem[],
  numClasses: number,
  k: number,
  seed: number
): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new AppError('INVALID_ARGUMENT', `folds must be an integer ≥ 2, got ${k}`)
  // Groups: items with the same key, or the item alone when it has none.
  const groupOf = new Int32Array(items.length)
  const byKey = new Map<string, number>()
  const members: number[][] = []
  items.forEach((it, i) => {
    let g = it.group === null ? undefined : byKey.get(it.group)
    if (g === undefined) {
      g = members.length
      members.push([])
      if (it.group !== null) byKey.set(it.group, g)
    }
    members[g].push(i)
    groupOf[i] = g
  })
  const G = members.length
  if (G < k) {
    throw new AppError('INVALID_ARGUMENT', `${k} folds need at least ${k} groups (patients), the data has ${G}`)
  }
  const counts = members.map((m) => {
    const c = new Float64Array(numClasses)
    for (const i of m) c[items[i].label]++
    return c
  })
  const classTotal = new Float64Array(numClasses)
  for (const it of items) classTotal[it.label]++
  const spread = counts.map((c) => std(c))
  const shuffled = Array.from(shuffledIndices(G, mulberry32(deriveSeed(seed, 'cv-folds'))))
  // Stable sort keeps the seeded order among groups of equal spread (e.g. all singletons).
  const order = shuffled.sort((a, b) => spread[b] - spread[a])

  const foldCounts = Array.from({ length: k }, () => new Float64Array(numClasses))
  const foldSize = new Float64Array(k)
  const groupFold = new Int32Array(G)
  const frac = new Float64Array(k)
  for (const g of order) {
    let best = -1
    let bestScore = Infinity
    for (let f = 0; f < k; f++) {
      foldCounts[f].forEach((_, c) => (foldCounts[f][c] += counts[g][c]))
      // Mean over classes of the standard deviation, across folds, of each fold's share of the class.
      let score = 0
      for (let c = 0; c < numClasses; c++) {
        if (classTotal[c] === 0) continue
        for (let h = 0; h < k; h++) frac[h] = foldCounts[h][c] / classTotal[c]
        score += std(frac)
      }
      foldCounts[f].forEach((_, c) => (foldCounts[f][c] -= counts[g][c]))
      if (score < bestScore - 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && foldSize[f] < foldSize[best])) {
        best = f
        bestScore = score
      }
    }
    groupFold[g] = best
    for (let c = 0; c < numClasses; c++) foldCounts[best][c] += counts[g][c]
    foldSize[best] += members[g].length
  }
  const out = new Int32Array(items.length)
  for (let i = 0; i < items.length; i++) out[i] = groupFold[groupOf[i]]
  return out
}

function std(xs: ArrayLike<number>): number {
  let mean = 0
  for (let i = 0; i < xs.length; i++) mean += xs[i]
  mean /= xs.length
  let v = 0
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2
  return Math.sqrt(v / xs.length)
}

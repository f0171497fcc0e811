import { SPLITS, type Split } from '../../../shared/contract/datasets'
import { mulberry32, shuffle } from './seeded-random'

/** A group to place: its items and how many of them (included ones) carry each class. */
export interface SplitGroup {
  itemIds: number[]
  /** Included items per class id (excluded items ride along with their group but do not weigh). */
  classCounts: Map<number, number>
}

/**
 * Places whole groups into train/val/test so that each class is spread close to the requested fractions
 * (stratified) while no group is divided. Greedy: groups are shuffled with the seed, then taken largest first
 * (stable, so the shuffle breaks ties); each goes to the split whose per-class shortfall it fills best,
 * weighting each class by 1/its total so rare classes count as much as common ones.
 * Deterministic for a given seed and input order.
 * @param fractions train, val, test, summing to 1.
 * @returns split per item id.
 */
export function assignSplits(groups: SplitGroup[], fractions: Record<Split, number>, seed: number): Map<number, Split> {
  const rand = mulberry32(seed)
  const order = shuffle(
    groups.map((g, i) => ({ g, i, size: sum(g.classCounts) })),
    rand
  )
  order.sort((a, b) => b.size - a.size)
  const totals = new Map<number, number>()
  for (const g of groups) for (const [c, n] of g.classCounts) totals.set(c, (totals.get(c) ?? 0) + n)
  const grand = sum(totals)
  const current: Record<Split, Map<number, number>> = { train: new Map(), val: new Map(), test: new Map() }
  const placed: Record<Split, number> = { train: 0, val: 0, test: 0 }
  const usable = SPLITS.filter((s) => fractions[s] > 0)
  const out = new Map<number, Split>()
  for (const { g, size } of order) {
    let best: Split = usable[0]
    let bestScore = -Infinity
    let bestTie = -Infinity
    for (const s of usable) {
      let score = 0
      for (const [c, n] of g.classCounts) {
        const need = fractions[s] * (totals.get(c) ?? 0) - (current[s].get(c) ?? 0)
        score += (n * need) / Math.max(1, totals.get(c) ?? 0)
      }
      // Tie-break (e.g. groups of only excluded items): the split furthest below its overall share.
      const tie = (fractions[s] * Math.max(1, grand) - placed[s]) / fractions[s]
      if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && tie > bestTie)) {
        best = s
        bestScore = score
        bestTie = tie
      }
    }
    for (const [c, n] of g.classCounts) current[best].set(c, (current[best].get(c) ?? 0) + n)
    placed[best] += size
    for (const id of g.itemIds) out.set(id, best)
  }
  return out
}

function sum(m: Map<number, number>): number {
  let t = 0
  for (const v of m.values()) t += v
  return t
}

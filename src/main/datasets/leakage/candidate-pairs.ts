import { forEachNearPair, type Hash64 } from './near-pairs'

/** Candidates kept per item by dHash, before the cheap pixel ranking. */
export const HASH_PARTNERS = 16
/** Candidates per item measured in full: the best by the cheap pixel ranking. */
export const PARTNERS = 2

export interface Candidate {
  d: number
  other: number
}

/**
 * For each hash, its `keep` closest others within `threshold` bits that `consider` accepts (ties by index). In a
 * folder of look-alike slices every item is within the threshold of every other; keeping a bounded list per
 * item keeps the work linear. `capped` says some item had more.
 */
export function closestByHash(
  hashes: Hash64[],
  threshold: number,
  consider: (a: number, b: number) => boolean,
  keep = HASH_PARTNERS
): { lists: Candidate[][]; capped: boolean; truncated: boolean } {
  const lists: Candidate[][] = hashes.map(() => [])
  let capped = false
  const offer = (n: number, other: number, d: number) => {
    const list = lists[n]
    const last = list[keep - 1]
    if (last && (d > last.d || (d === last.d && other > last.other))) {
      capped = true
      return
    }
    let i = list.length
    while (i > 0 && (list[i - 1].d > d || (list[i - 1].d === d && list[i - 1].other > other))) i--
    list.splice(i, 0, { d, other })
    if (list.length > keep) {
      list.pop()
      capped = true
    }
  }
  const { truncated } = forEachNearPair(
    hashes,
    threshold,
    (a, b, d) => {
      offer(a, b, d)
      offer(b, a, d)
    },
    { consider }
  )
  return { lists, capped, truncated }
}

/**
 * The pairs to measure: per item, its `keep` candidates ranked best by `rank` (lower = more alike; a cheap
 * pixel comparison), as the union over items, each pair once (a < b), with its dHash distance.
 */
export function pickPairs(
  lists: Candidate[][],
  rank: (a: number, b: number) => number,
  keep = PARTNERS
): { a: number; b: number; d: number }[] {
  const seen = new Set<number>()
  const pairs: { a: number; b: number; d: number }[] = []
  lists.forEach((list, n) => {
    const best =
      list.length <= keep
        ? list
        : list
            .map((c) => ({ c, r: rank(n, c.other) }))
            .sort((p, q) => p.r - q.r)
            .slice(0, keep)
            .map((x) => x.c)
    for (const { d, other } of best) {
      const [a, b] = n < other ? [n, other] : [other, n]
      const key = a * lists.length + b
      if (seen.has(key)) continue
      seen.add(key)
      pairs.push({ a, b, d })
    }
  })
  return pairs
}

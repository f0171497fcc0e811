/**
 * The q-quantile (q in [0, 1]) of ascending-sorted values, interpolating linearly between neighbours
 * (numpy's default 'linear' method).
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(lo + 1, sorted.length - 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

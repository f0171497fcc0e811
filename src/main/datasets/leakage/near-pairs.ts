/** A 64-bit dHash as two 32-bit halves (most significant first). */
export interface Hash64 {
  hi: number
  lo: number
}

/** Parses 16 hex digits into halves; null for anything else. */
export function parseDHash(hex: string | null): Hash64 | null {
  if (!hex || !/^[0-9a-f]{16}$/i.test(hex)) return null
  return { hi: parseInt(hex.slice(0, 8), 16) >>> 0, lo: parseInt(hex.slice(8), 16) >>> 0 }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Hamming distance of two 64-bit hashes, 0..64. */
export function hamming(a: Hash64, b: Hash64): number {
  return popcount((a.hi ^ b.hi) >>> 0) + popcount((a.lo ^ b.lo) >>> 0)
}

/** Bits [start, start+width) of a 64-bit hash counted from the most significant bit. */
function bits(h: Hash64, start: number, width: number): number {
  let v = 0
  for (let b = start; b < start + width; b++) {
    const word = b < 32 ? h.hi : h.lo
    v = v * 2 + ((word >>> (31 - (b % 32))) & 1)
  }
  return v
}

export interface NearPairOptions {
  /** Called before measuring a candidate pair; false skips it (e.g. already linked, or a pair that cannot matter). */
  consider?: (a: number, b: number) => boolean
  /** Stop after this many candidate pairs (default 50 million), so a degenerate input cannot run for minutes. */
  budget?: number
}

/**
 * Visits every pair of hashes within Hamming distance `threshold` exactly once, found by multi-index hashing:
 * the 64 bits are cut into threshold+1 chunks and two hashes within the threshold agree exactly on at least one
 * chunk (pigeonhole), so only hashes sharing a chunk value are compared; a pair sharing several chunks is
 * measured only in the first. Near-linear for spread-out hashes instead of all n² pairs.
 * @param visit receives indices into `hashes` (a < b) and their distance.
 * @returns whether the budget ran out before every candidate was seen.
 */
export function forEachNearPair(
  hashes: Hash64[],
  threshold: number,
  visit: (a: number, b: number, distance: number) => void,
  opts: NearPairOptions = {}
): { truncated: boolean } {
  const n = hashes.length
  const chunks = Math.min(64, threshold + 1)
  const keys = new Float64Array(n * chunks)
  const widths: number[] = []
  let start = 0
  for (let c = 0; c < chunks; c++) {
    const width = Math.floor(64 / chunks) + (c < 64 % chunks ? 1 : 0)
    for (let i = 0; i < n; i++) keys[i * chunks + c] = bits(hashes[i], start, width)
    widths.push(width)
    start += width
  }
  let budget = opts.budget ?? 50_000_000
  for (let c = 0; c < chunks; c++) {
    const buckets = new Map<number, number[]>()
    for (let i = 0; i < n; i++) {
      const k = keys[i * chunks + c]
      const b = buckets.get(k)
      if (b) b.push(i)
      else buckets.set(k, [i])
    }
    for (const b of buckets.values()) {
      for (let x = 0; x < b.length; x++) {
        const i = b[x]
        for (let y = x + 1; y < b.length; y++) {
          const j = b[y]
          if (--budget < 0) return { truncated: true }
          let earlier = false
          for (let e = 0; e < c && !earlier; e++) earlier = keys[i * chunks + e] === keys[j * chunks + e]
          if (earlier || (opts.consider && !opts.consider(i, j))) continue
          const d = hamming(hashes[i], hashes[j])
          if (d <= threshold) visit(i, j, d)
        }
      }
    }
  }
  return { truncated: false }
}

/** Every pair within `threshold` as [a, b, distance] (a < b). For small inputs and tests; no budget. */
export function nearPairs(hashes: Hash64[], threshold: number): [number, number, number][] {
  const out: [number, number, number][] = []
  forEachNearPair(hashes, threshold, (a, b, d) => out.push([a, b, d]), { budget: Number.MAX_SAFE_INTEGER })
  return out
}

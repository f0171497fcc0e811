/**
 * Seeded randomness for training. One user seed is expanded into independent streams (weight init,
 * shuffling, dropout, augmentation) by hashing it with labels, so that a stream for epoch 7 does not
 * depend on how many numbers epochs 0–6 consumed; this is what makes resume bit-exact.
 */

/** A source of uniform floats in [0, 1). */
export type Rng = () => number

/** mulberry32: a tiny, fast 32-bit PRNG. `seed` is any integer (taken modulo 2^32). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The 32-bit finaliser of MurmurHash3: spreads every input bit over the output. */
function mix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Derives an unsigned 32-bit seed from a base seed and labels, e.g. `deriveSeed(seed, 'shuffle', epoch)`.
 * Equal inputs give equal outputs; different labels give unrelated streams.
 */
export function deriveSeed(seed: number, ...parts: (number | string)[]): number {
  let h = mix32((seed >>> 0) ^ 0x9e3779b9)
  for (const part of parts) {
    if (typeof part === 'number') {
      h = mix32(h ^ mix32((part >>> 0) + 0x7f4a7c15))
      // Parts above 2^32 (large epoch seeds never are, but be safe) still change the result.
      h = mix32(h ^ Math.floor(part / 4294967296))
    } else {
      for (let i = 0; i < part.length; i++) h = mix32(h ^ (part.charCodeAt(i) + 0x632be5ab))
    }
  }
  return h
}

/** Fisher–Yates permutation of 0..n-1 driven by `rng`. */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}

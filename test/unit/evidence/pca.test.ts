import { describe, expect, it } from 'vitest'
import { pca2 } from '../../../src/main/evidence/map/pca'

// Rows ±3·u1, ±2·u2, ±1·u3 (+ an offset) for orthonormal u1..u3 in 5-D: the sample covariance is exactly
// (2·9·u1u1ᵀ + 2·4·u2u2ᵀ + 2·1·u3u3ᵀ) / 5, so the components are u1, u2 and the eigenvalues 18/5 and 8/5.

/** Orthonormal u1, u2, u3 in R^5: a rotation by two Givens angles of the first three axes. */
function basis(): Float64Array[] {
  const c = Math.cos(0.7)
  const s = Math.sin(0.7)
  const d = Math.cos(1.1)
  const e = Math.sin(1.1)
  return [
    Float64Array.from([c, s * d, s * e, 0, 0]),
    Float64Array.from([-s, c * d, c * e, 0, 0]),
    Float64Array.from([0, -e, d, 0, 0])
  ]
}

function knownRows(): { data: Float32Array; u: Float64Array[] } {
  const u = basis()
  const offset = [5, -2, 1, 7, 3]
  const rows: number[][] = []
  for (const [k, a] of [3, 2, 1].entries())
    for (const sign of [1, -1]) rows.push(offset.map((o, j) => o + sign * a * u[k][j]))
  return { data: Float32Array.from(rows.flat()), u }
}

const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, j) => s + x * b[j], 0)

describe('pca2', () => {
  it('finds the eigenvectors and eigenvalues of a known covariance', () => {
    const { data, u } = knownRows()
    const r = pca2(data, 6, 5)
    expect(r.converged).toBe(true)
    expect(r.eigenvalues[0]).toBeCloseTo(18 / 5, 5)
    expect(r.eigenvalues[1]).toBeCloseTo(8 / 5, 5)
    expect(r.totalVariance).toBeCloseTo(28 / 5, 5)
    expect(Math.abs(dotp(r.components[0], u[0]))).toBeCloseTo(1, 6)
    expect(Math.abs(dotp(r.components[1], u[1]))).toBeCloseTo(1, 6)
    // Projections: the ±3·u1 rows sit at ±3 on component 1 and 0 on component 2; the ±1·u3 rows at the origin.
    expect(Math.abs(r.coords[0])).toBeCloseTo(3, 4)
    expect(r.coords[0]).toBeCloseTo(-r.coords[2], 4)
    expect(r.coords[1]).toBeCloseTo(0, 4)
    expect(Math.abs(r.coords[5])).toBeCloseTo(2, 4)
    expect(r.coords[8]).toBeCloseTo(0, 4)
    expect(r.coords[9]).toBeCloseTo(0, 4)
  })

  it('is deterministic in sign: the largest entry of each component is positive', () => {
    const { data } = knownRows()
    const a = pca2(data, 6, 5)
    for (const v of a.components) {
      const big = Array.from(v).reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0)
      expect(big).toBeGreaterThan(0)
    }
    expect(Array.from(pca2(data, 6, 5).coords)).toEqual(Array.from(a.coords))
  })

  it('starts large inputs from a subsample and still reaches the same components as a cold start', () => {
    // 5,000 rows in 6-D: variances 16, 4, 1, 0.25, … along the axes, so the components are the first two axes.
    let seed = 7
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5
    const n = 5000
    const data = Float32Array.from({ length: n * 6 }, (_, k) => rnd() * 4 ** (2 - (k % 6)))
    const warm = pca2(data, n, 6)
    const cold = pca2(data, n, 6, {
      start: [Float64Array.from([1, 1, 1, 1, 1, 1]), Float64Array.from([1, -1, 1, -1, 1, -1])]
    })
    expect(warm.converged && cold.converged).toBe(true)
    expect(warm.iterations).toBeLessThan(cold.iterations)
    for (const c of [0, 1]) {
      expect(Math.abs(dotp(warm.components[c], cold.components[c]))).toBeCloseTo(1, 8)
      expect(Math.abs(warm.components[c][c])).toBeGreaterThan(0.999)
    }
  })

  it('refuses a shape that does not match the data, naming the sizes', () => {
    expect(() => pca2(new Float32Array(7), 2, 4)).toThrow(/7 values for n = 2/)
  })
})

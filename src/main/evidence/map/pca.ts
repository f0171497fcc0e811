/** The two leading principal components of a set of rows, and every row projected onto them. */
export interface Pca2 {
  /** n × 2, row-major: row i's coordinates along component 1 and 2 (mean-centred). */
  coords: Float32Array
  /** The two unit eigenvectors of the covariance, each of length `dim`, largest eigenvalue first. */
  components: [Float64Array, Float64Array]
  /** Their eigenvalues: variance along each component (unbiased, ÷ (n − 1)). */
  eigenvalues: [number, number]
  /** Trace of the covariance: total variance, so eigenvalue ÷ totalVariance is the share explained. */
  totalVariance: number
  /** Subspace iterations run, and whether the components settled (|cos| change below tolerance). */
  iterations: number
  converged: boolean
}

export interface PcaOptions {
  /** Stop when both components move less than this (1 − |cos| between iterations). Default 1e-10. */
  tolerance?: number
  /** Default 300. */
  maxIterations?: number
  /** Starting directions (length dim each); default: from a subsample for large n, else fixed ramps. */
  start?: [Float64Array, Float64Array]
}

/** Above this many rows the iteration starts from the components of an evenly spaced subsample. */
const WARM_START_ROWS = 4000

/**
 * Exact PCA to 2 components: subspace (block power) iteration with 2 vectors on the covariance C = XcᵀXc/(n−1),
 * where Xc is `data` with its column means removed. C is never formed (d × d would cost n·d² for d = 1280);
 * each iteration is one pass over the rows computing C·[v1 v2] as Xcᵀ(Xc·[v1 v2]) (4·n·d flops), followed by
 * Gram–Schmidt. Converges at the rate λ3/λ2 for the second vector. Signs are fixed so that each component's
 * largest-magnitude entry is positive, which makes the layout deterministic.
 * @param data n × dim float32, row-major (n ≥ 2).
 */
export function pca2(data: Float32Array, n: number, dim: number, opts: PcaOptions = {}): Pca2 {
  if (n < 2 || dim < 1 || data.length !== n * dim)
    throw new RangeError(`pca2: need n ≥ 2 rows of dim ${dim} (got ${data.length} values for n = ${n})`)
  const tol = opts.tolerance ?? 1e-10
  const maxIt = opts.maxIterations ?? 300
  // Means and total variance in one pass (Σx² − n·μ², accumulated in float64).
  const mean = new Float64Array(dim)
  let squares = 0
  for (let i = 0; i < n; i++) {
    const o = i * dim
    for (let j = 0; j < dim; j++) {
      const x = data[o + j]
      mean[j] += x
      squares += x * x
    }
  }
  for (let j = 0; j < dim; j++) mean[j] /= n
  const total = Math.max(0, (squares - n * dot(mean, mean)) / (n - 1))

  // Deterministic start: the components of a 2,000-row subsample when n is large (they are close to the full
  // ones, so the full passes, which cost 10× more, only refine), else two fixed non-degenerate ramps.
  let v1: Float64Array
  let v2: Float64Array
  if (opts.start) [v1, v2] = [Float64Array.from(opts.start[0]), Float64Array.from(opts.start[1])]
  else if (n > WARM_START_ROWS)
    [v1, v2] = pca2(subsample(data, n, dim, 2000), 2000, dim, { tolerance: 1e-6 }).components
  else {
    v1 = new Float64Array(dim).map((_, j) => 1 + j / dim)
    v2 = new Float64Array(dim).map((_, j) => (j % 2 === 0 ? 1 : -1) * (1 + (j * 7) / dim))
  }
  orthonormalise(v1, v2)
  let it = 0
  let converged = false
  let l1 = 0
  let l2 = 0
  while (it < maxIt) {
    it++
    const [w1, w2, s1, s2] = multiplyCovariance(data, n, dim, mean, v1, v2)
    l1 = s1
    l2 = s2
    if (l1 === 0 && l2 === 0) {
      converged = true
      break
    }
    orthonormalise(w1, w2)
    const moved = Math.max(1 - Math.abs(dot(w1, v1)), 1 - Math.abs(dot(w2, v2)))
    v1 = w1
    v2 = w2
    if (moved < tol) {
      converged = true
      break
    }
  }
  // Rayleigh quotients of the final vectors, and the projection, in one last pass.
  const coords = new Float32Array(n * 2)
  const m1 = dot(mean, v1)
  const m2 = dot(mean, v2)
  const flip1 = signOfLargest(v1)
  const flip2 = signOfLargest(v2)
  let q1 = 0
  let q2 = 0
  for (let i = 0; i < n; i++) {
    const o = i * dim
    let p = 0
    let q = 0
    for (let j = 0; j < dim; j++) {
      const x = data[o + j]
      p += x * v1[j]
      q += x * v2[j]
    }
    p -= m1
    q -= m2
    q1 += p * p
    q2 += q * q
    coords[i * 2] = flip1 * p
    coords[i * 2 + 1] = flip2 * q
  }
  l1 = q1 / (n - 1)
  l2 = q2 / (n - 1)
  if (flip1 < 0) v1 = v1.map((x) => -x)
  if (flip2 < 0) v2 = v2.map((x) => -x)
  return { coords, components: [v1, v2], eigenvalues: [l1, l2], totalVariance: total, iterations: it, converged }
}

/** [C·v1, C·v2, v1ᵀCv1, v2ᵀCv2] with C the covariance of the centred rows, in one pass over `data`. */
function multiplyCovariance(
  data: Float32Array,
  n: number,
  dim: number,
  mean: Float64Array,
  v1: Float64Array,
  v2: Float64Array
): [Float64Array, Float64Array, number, number] {
  const w1 = new Float64Array(dim)
  const w2 = new Float64Array(dim)
  const m1 = dot(mean, v1)
  const m2 = dot(mean, v2)
  let sp = 0
  let sq = 0
  let s1 = 0
  let s2 = 0
  // Rows in fours: each load of v and each read-modify-write of w serves four rows (about 2× faster in V8).
  const p = new Float64Array(4)
  const q = new Float64Array(4)
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0)
    if (rows < 4) {
      p.fill(0)
      q.fill(0)
    }
    const a = i0 * dim
    const b = rows > 1 ? a + dim : a
    const c = rows > 2 ? a + 2 * dim : a
    const e = rows > 3 ? a + 3 * dim : a
    // prettier-ignore
    let pa = 0, pb = 0, pc = 0, pe = 0, qa = 0, qb = 0, qc = 0, qe = 0
    for (let j = 0; j < dim; j++) {
      const x = v1[j]
      const y = v2[j]
      const da = data[a + j]
      const db = data[b + j]
      const dc = data[c + j]
      const de = data[e + j]
      pa += da * x
      pb += db * x
      pc += dc * x
      pe += de * x
      qa += da * y
      qb += db * y
      qc += dc * y
      qe += de * y
    }
    p[0] = pa - m1
    p[1] = rows > 1 ? pb - m1 : 0
    p[2] = rows > 2 ? pc - m1 : 0
    p[3] = rows > 3 ? pe - m1 : 0
    q[0] = qa - m2
    q[1] = rows > 1 ? qb - m2 : 0
    q[2] = rows > 2 ? qc - m2 : 0
    q[3] = rows > 3 ? qe - m2 : 0
    for (let r = 0; r < 4; r++) {
      sp += p[r]
      sq += q[r]
      s1 += p[r] * p[r]
      s2 += q[r] * q[r]
    }
    const [p0, p1, p2, p3] = p
    const [q0, q1, q2, q3] = q
    for (let j = 0; j < dim; j++) {
      const da = data[a + j]
      const db = data[b + j]
      const dc = data[c + j]
      const de = data[e + j]
      w1[j] += p0 * da + p1 * db + p2 * dc + p3 * de
      w2[j] += q0 * da + q1 * db + q2 * dc + q3 * de
    }
  }
  // Σ p_i (x_i − μ) = Σ p_i x_i − μ Σ p_i (Σ p_i is 0 up to rounding).
  const k = 1 / (n - 1)
  for (let j = 0; j < dim; j++) {
    w1[j] = (w1[j] - mean[j] * sp) * k
    w2[j] = (w2[j] - mean[j] * sq) * k
  }
  return [w1, w2, s1 * k, s2 * k]
}

/** `m` evenly spaced rows of `data`. */
function subsample(data: Float32Array, n: number, dim: number, m: number): Float32Array {
  const out = new Float32Array(m * dim)
  for (let r = 0; r < m; r++) {
    const i = Math.floor((r * n) / m)
    out.set(data.subarray(i * dim, (i + 1) * dim), r * dim)
  }
  return out
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += a[j] * b[j]
  return s
}

/** Gram–Schmidt in place: a unit, b unit and orthogonal to a (b left at 0 when it lies along a). */
function orthonormalise(a: Float64Array, b: Float64Array): void {
  const na = Math.sqrt(dot(a, a))
  if (na > 0) for (let j = 0; j < a.length; j++) a[j] /= na
  const c = dot(a, b)
  for (let j = 0; j < b.length; j++) b[j] -= c * a[j]
  const nb = Math.sqrt(dot(b, b))
  if (nb > 0) for (let j = 0; j < b.length; j++) b[j] /= nb
}

function signOfLargest(v: Float64Array): 1 | -1 {
  let best = 0
  for (let j = 1; j < v.length; j++) if (Math.abs(v[j]) > Math.abs(v[best])) best = j
  return v[best] < 0 ? -1 : 1
}

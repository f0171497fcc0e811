import { resampleArea, toLuma, type Raster8 } from '../import/resample'

/** Side of the grid images are compared on, pixels. */
export const SIGNATURE_SIZE = 64
/** Largest shift tried when aligning two signatures, grid pixels (±2 of 64 covers a few pixels of the original). */
export const MAX_SHIFT = 2
/** Side of the blocks whose mean difference is measured, grid pixels, and the step between blocks. */
const BLOCK = 8
const BLOCK_STEP = 2

/**
 * Default pixel threshold: largest block mean difference, in standard deviations of the image, up to which two
 * images count as the same picture. Calibrated on generated head slices (test/unit/datasets/leakage-pixels.test.ts):
 * JPEG-re-encoded, resized, re-windowed and 2-pixel-shifted copies measured ≤ 0.03; the same anatomy with the
 * lesion elsewhere or absent ≥ 0.45, a neighbouring slice 0.10.
 */
export const DEFAULT_PIXEL_THRESHOLD = 0.08

/** An image reduced for comparison: the 64×64 grid and a 32×32 version of it for the coarse alignment search. */
export interface PixelSignature {
  fine: Float32Array
  coarse: Float32Array
}

/**
 * An image reduced for comparison: grey, area-resampled to 64×64 (aspect ignored; copies share it), then
 * z-scored (mean 0, SD 1) so re-windowing, re-encoding and brightness changes do not count.
 */
export function pixelSignature(img: Raster8): PixelSignature {
  return signatureOfGrid(resampleArea(toLuma(img), SIGNATURE_SIZE, SIGNATURE_SIZE).data)
}

/** The signature of a 64×64 grey grid (row-major), e.g. a thumbnail already resized by sharp. */
export function signatureOfGrid(small: ArrayLike<number>): PixelSignature {
  const out = new Float32Array(SIGNATURE_SIZE * SIGNATURE_SIZE)
  let sum = 0
  for (let i = 0; i < out.length; i++) sum += small[i]
  const mean = sum / out.length
  let sq = 0
  for (let i = 0; i < out.length; i++) sq += (small[i] - mean) ** 2
  const sd = Math.sqrt(sq / out.length) || 1
  for (let i = 0; i < out.length; i++) out[i] = (small[i] - mean) / sd
  const fine = blur(blur(out))
  const h = SIGNATURE_SIZE / 2
  const coarse = new Float32Array(h * h)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < h; x++) {
      const i = 2 * y * SIGNATURE_SIZE + 2 * x
      coarse[y * h + x] = (fine[i] + fine[i + 1] + fine[i + SIGNATURE_SIZE] + fine[i + SIGNATURE_SIZE + 1]) / 4
    }
  return { fine, coarse }
}

/**
 * [1 2 1]/4 in x then y (twice: Gaussian σ ≈ 1 grid pixel), edges clamped. Softens edges so that a residual
 * sub-pixel misalignment leaves a small difference, while a patch that differs keeps its mean.
 */
function blur(src: Float32Array): Float32Array {
  const n = SIGNATURE_SIZE
  const tmp = new Float32Array(src.length)
  const out = new Float32Array(src.length)
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const i = y * n + x
      tmp[i] = (src[i - (x > 0 ? 1 : 0)] + 2 * src[i] + src[i + (x < n - 1 ? 1 : 0)]) / 4
    }
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const i = y * n + x
      out[i] = (tmp[i - (y > 0 ? n : 0)] + 2 * tmp[i] + tmp[i + (y < n - 1 ? n : 0)]) / 4
    }
  return out
}

/**
 * How different two images are as pictures, in standard deviations. `b` is aligned to `a`: the integer shift
 * (±MAX_SHIFT, searched coarse to fine) with the least squared difference, refined to a fraction of a pixel by a
 * parabola through the neighbouring squared differences and bilinear resampling. The measure is then the largest |mean difference|
 * over 8×8 blocks of the overlap, relative to the mean difference of the whole overlap. Why block means of the
 * signed difference: re-encoding noise and what is left of a misalignment (edge dipoles, + beside −) average
 * out within a block, whereas a lesion, another slice or other anatomy leaves a one-signed patch that does not.
 * 0 for identical pictures.
 */
export function pixelDistance(a: PixelSignature, b: PixelSignature): number {
  // Coarse: the best shift of ±1 on the 32×32 grid (±2 on the fine one).
  let cx = 0
  let cy = 0
  let best = Infinity
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      const m = shiftedMse(a.coarse, b.coarse, SIGNATURE_SIZE / 2, dx, dy)
      if (m < best) [best, cx, cy] = [m, dx, dy]
    }
  // Fine: walk downhill on the 64×64 grid from twice the coarse shift, then fit a parabola through the
  // neighbours of the minimum for the fraction of a pixel.
  // Shifts up to ±(MAX_SHIFT + 1): the parabola may look one step past the search range. Every other row is
  // enough to tell shifts apart, at half the cost.
  const side = 2 * MAX_SHIFT + 3
  const memo = new Float64Array(side * side).fill(NaN)
  const m = (dx: number, dy: number): number => {
    const key = (dy + MAX_SHIFT + 1) * side + dx + MAX_SHIFT + 1
    if (Number.isNaN(memo[key])) memo[key] = shiftedMse(a.fine, b.fine, SIGNATURE_SIZE, dx, dy, 2)
    return memo[key]
  }
  let x = clampShift(2 * cx)
  let y = clampShift(2 * cy)
  for (let moved = true; moved;) {
    moved = false
    for (const [dx, dy] of STEPS) {
      const nx = x + dx
      const ny = y + dy
      if (Math.abs(nx) > MAX_SHIFT || Math.abs(ny) > MAX_SHIFT || m(nx, ny) >= m(x, y)) continue
      ;[x, y, moved] = [nx, ny, true]
    }
  }
  const fx = x + vertex(m(x - 1, y), m(x, y), m(x + 1, y), Math.abs(x) < MAX_SHIFT)
  const fy = y + vertex(m(x, y - 1), m(x, y), m(x, y + 1), Math.abs(y) < MAX_SHIFT)
  return blockMeasure(a.fine, b.fine, fx, fy)
}

/** The 8 neighbouring integer shifts. */
const STEPS = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
  [-1, -1],
  [1, -1],
  [-1, 1],
  [1, 1]
] as const

const clampShift = (d: number) => Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, d))

/** A cheap likeness for ranking candidates: mean squared difference of the 32×32 grids, unshifted. */
export function coarseDistance(a: PixelSignature, b: PixelSignature): number {
  return shiftedMse(a.coarse, b.coarse, SIGNATURE_SIZE / 2, 0, 0)
}

/** Offset (−0.5..0.5) of the minimum of the parabola through three equally spaced values; 0 at the edge. */
function vertex(left: number, mid: number, right: number, inside: boolean): number {
  if (!inside) return 0
  const den = left - 2 * mid + right
  return den > 1e-12 ? Math.max(-0.5, Math.min(0.5, (left - right) / (2 * den))) : 0
}

/** Mean squared difference of a(x, y) and b(x + dx, y + dy) over their overlap, on n×n grids, every `rowStep` row. */
function shiftedMse(a: Float32Array, b: Float32Array, n: number, dx: number, dy: number, rowStep = 1): number {
  let s = 0
  let rows = 0
  const y0 = Math.max(0, -dy)
  const y1 = Math.min(n, n - dy)
  const x0 = Math.max(0, -dx)
  const x1 = Math.min(n, n - dx)
  for (let y = y0; y < y1; y += rowStep) {
    rows++
    const ra = y * n
    const rb = (y + dy) * n + dx
    for (let x = x0; x < x1; x++) {
      const d = a[ra + x] - b[rb + x]
      s += d * d
    }
  }
  return s / (rows * (x1 - x0))
}

/** The block measure of a(x, y) − b(x + sx, y + sy), b sampled bilinearly, over the overlap. */
function blockMeasure(a: Float32Array, b: Float32Array, sx: number, sy: number): number {
  const n = SIGNATURE_SIZE
  const x0 = Math.max(0, Math.ceil(-sx))
  const y0 = Math.max(0, Math.ceil(-sy))
  const x1 = Math.min(n, Math.floor(n - 1 - sx) + 1)
  const y1 = Math.min(n, Math.floor(n - 1 - sy) + 1)
  const w = x1 - x0
  const h = y1 - y0
  const ix = Math.floor(sx)
  const iy = Math.floor(sy)
  const tx = sx - ix
  const ty = sy - iy
  const at = (x: number, y: number) => b[Math.min(n - 1, y) * n + Math.min(n - 1, x)]
  // Integral image of the difference, for O(1) block sums.
  const integral = new Float64Array((w + 1) * (h + 1))
  for (let y = 0; y < h; y++) {
    let row = 0
    const by = y + y0 + iy
    for (let x = 0; x < w; x++) {
      const bx = x + x0 + ix
      const v =
        (1 - ty) * ((1 - tx) * at(bx, by) + tx * at(bx + 1, by)) +
        ty * ((1 - tx) * at(bx, by + 1) + tx * at(bx + 1, by + 1))
      row += a[(y + y0) * n + x + x0] - v
      integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row
    }
  }
  const total = integral[h * (w + 1) + w] / (w * h)
  let worst = 0
  for (let y = 0; y + BLOCK <= h; y += BLOCK_STEP) {
    for (let x = 0; x + BLOCK <= w; x += BLOCK_STEP) {
      const s =
        integral[(y + BLOCK) * (w + 1) + x + BLOCK] -
        integral[y * (w + 1) + x + BLOCK] -
        integral[(y + BLOCK) * (w + 1) + x] +
        integral[y * (w + 1) + x]
      worst = Math.max(worst, Math.abs(s / (BLOCK * BLOCK) - total))
    }
  }
  return worst
}

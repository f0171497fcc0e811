import type { StoredArray, VoiWindow } from './types'

/** Explanation given to windows we derive because the file has none. */
export const AUTO_WINDOW = 'AUTO 1-99%'

/** Smallest and largest of an array (NaN-free inputs). */
export function minMax(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}

/** Value at each nearest rank ⌊q·(n−1)⌋ of a histogram whose bin k counts value k + offset. */
function ranksFromHistogram(hist: Uint32Array, offset: number, n: number, qs: number[]): number[] {
  const ranks = qs.map((q) => Math.floor(q * (n - 1)))
  const out: number[] = new Array(qs.length).fill(hist.length - 1 + offset)
  let seen = 0
  let next = 0
  for (let k = 0; k < hist.length && next < ranks.length; k++) {
    seen += hist[k]
    while (next < ranks.length && seen > ranks[next]) out[next++] = k + offset
  }
  return out
}

/**
 * The values at fractions `lo` and `hi` of the sorted data (nearest rank). 8- and 16-bit data use one
 * histogram pass over the type's range; wider integers a min/max pass plus a histogram when they span
 * ≤ 2^20 values; anything else sorts a strided sample of at most 65 536 values.
 */
export function percentiles(values: StoredArray | Float32Array, lo: number, hi: number): [number, number] {
  const n = values.length
  if (n === 0) return [0, 0]
  if (values.BYTES_PER_ELEMENT <= 2 && !(values instanceof Float32Array)) {
    const signed = values instanceof Int8Array || values instanceof Int16Array
    const size = values.BYTES_PER_ELEMENT === 1 ? 256 : 65536
    const offset = signed ? -size / 2 : 0
    const hist = new Uint32Array(size)
    for (let i = 0; i < n; i++) hist[values[i] - offset]++
    const [a, b] = ranksFromHistogram(hist, offset, n, [lo, hi])
    return [a, b]
  }
  const { min, max } = minMax(values)
  if (!(values instanceof Float32Array) && max - min <= 1 << 20) {
    const hist = new Uint32Array(max - min + 1)
    for (let i = 0; i < n; i++) hist[values[i] - min]++
    const [a, b] = ranksFromHistogram(hist, min, n, [lo, hi])
    return [a, b]
  }
  const stride = Math.max(1, Math.floor(n / 65536))
  const sample = new Float64Array(Math.ceil(n / stride))
  for (let i = 0, j = 0; i < n; i += stride, j++) sample[j] = values[i]
  sample.sort()
  return [sample[Math.floor(lo * (sample.length - 1))], sample[Math.floor(hi * (sample.length - 1))]]
}

/**
 * A default window when the file has none: the 1st–99th percentile of the modality values, widened to the
 * full min–max range when that band is empty (flat images), and never narrower than 1 unit.
 * @param slope,intercept Rescale Slope/Intercept (0028,1053)/(0028,1052) applied to the stored percentiles.
 */
export function deriveWindow(stored: StoredArray, slope: number, intercept: number): VoiWindow {
  let [lo, hi] = percentiles(stored, 0.01, 0.99)
  if (hi <= lo) {
    const mm = minMax(stored)
    lo = mm.min
    hi = mm.max
  }
  let a = lo * slope + intercept
  let b = hi * slope + intercept
  if (a > b) [a, b] = [b, a]
  const width = Math.max(b - a, 1)
  return { center: (a + b) / 2, width, explanation: AUTO_WINDOW }
}

/**
 * `deriveWindow` for float data (NIfTI float32/float64 voxels, DICOM Float/Double Float Pixel Data): the
 * 1st–99th percentile of the finite values from a strided sample of at most 2^16, NaN and ±Inf left out;
 * an all-non-finite input gives a unit window at 0.
 */
export function deriveFloatWindow(data: Float32Array | Float64Array, slope: number, intercept: number): VoiWindow {
  const stride = Math.max(1, Math.floor(data.length / 65536))
  const sample: number[] = []
  for (let i = 0; i < data.length; i += stride) if (Number.isFinite(data[i])) sample.push(data[i])
  if (!sample.length) return { center: 0, width: 1, explanation: AUTO_WINDOW }
  const sorted = Float64Array.from(sample).sort()
  let lo = sorted[Math.floor(0.01 * (sorted.length - 1))]
  let hi = sorted[Math.floor(0.99 * (sorted.length - 1))]
  if (hi <= lo) {
    lo = sorted[0]
    hi = sorted[sorted.length - 1]
  }
  let a = lo * slope + intercept
  let b = hi * slope + intercept
  if (a > b) [a, b] = [b, a]
  // Float data may span far less than one unit (e.g. probabilities), so no 1-unit minimum here.
  return { center: (a + b) / 2, width: Math.max(b - a, Number.EPSILON * 1024), explanation: AUTO_WINDOW }
}

// The VOI functions (LINEAR, LINEAR_EXACT, SIGMOID) have one implementation, shared with the renderer's viewer.
export { linearRamp, voiFunction } from '../../shared/display/voi'

import type { StoredArray, VoiLutFunction, VoiWindow } from './types'

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
 * Builds the VOI function of PS3.3 C.11.2.1.2 / C.11.2.1.3 for output range 0..255:
 * LINEAR (width ≥ 1, centre offset by 0.5), LINEAR_EXACT, and SIGMOID.
 * @returns x (modality value) → display value in [0, 255], unrounded.
 */
export function voiFunction(fn: VoiLutFunction, center: number, width: number): (x: number) => number {
  if (fn === 'SIGMOID') {
    const w = width > 0 ? width : 1
    return (x) => 255 / (1 + Math.exp((-4 * (x - center)) / w))
  }
  const { lo, hi, span } = linearRamp(fn, center, width)
  return (x) => (x <= lo ? 0 : x > hi ? 255 : ((x - lo) * 255) / span)
}

/**
 * LINEAR / LINEAR_EXACT as a clipped ramp: 0 at or below `lo`, 255 above `hi`, (x − lo)·255/span between.
 * LINEAR: y = ((x − (c − 0.5)) / (w − 1) + 0.5)·255, i.e. lo = c − 0.5 − (w − 1)/2, span = w − 1.
 * LINEAR_EXACT: y = ((x − c)/w + 0.5)·255, i.e. lo = c − w/2, span = w.
 * (Multiplying before dividing keeps exact halves exact, so rounding matches the formulas.)
 * LINEAR needs width ≥ 1; narrower windows (float-valued maps) are treated as LINEAR_EXACT.
 */
export function linearRamp(
  fn: VoiLutFunction,
  center: number,
  width: number
): { lo: number; hi: number; span: number } {
  if (fn === 'LINEAR' && width >= 1) {
    // At width 1, lo === hi, so the ramp (and its zero span) is never used.
    const half = (width - 1) / 2
    return { lo: center - 0.5 - half, hi: center - 0.5 + half, span: width - 1 }
  }
  const w = width > 0 ? width : Number.EPSILON
  return { lo: center - w / 2, hi: center + w / 2, span: w }
}

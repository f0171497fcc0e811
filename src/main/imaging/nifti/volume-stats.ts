import type { StoredArray, VoiWindow } from '../types'
import { deriveFloatWindow, deriveWindow } from '../voi'
import type { NiftiVolume } from './types'

/** Min, max and mean of the scaled values (scl_slope/scl_inter applied), non-finite values counted apart. */
export function volumeStats(v: NiftiVolume): { min: number; max: number; mean: number; nonFinite: number } {
  const data = v.voxels
  let min = Infinity
  let max = -Infinity
  let sum = 0
  let finite = 0
  const n = data.length
  const float = data instanceof Float32Array || data instanceof Float64Array
  for (let i = 0; i < n; i++) {
    const x = data[i]
    if (float && !Number.isFinite(x)) continue
    if (x < min) min = x
    if (x > max) max = x
    sum += x
    finite++
  }
  if (!finite) return { min: 0, max: 0, mean: 0, nonFinite: n }
  // Scaling is linear, so the raw extremes and mean map straight to the scaled ones.
  const { slope, intercept } = v.header
  let a = min * slope + intercept
  let b = max * slope + intercept
  if (a > b) [a, b] = [b, a]
  return { min: a, max: b, mean: (sum / finite) * slope + intercept, nonFinite: n - finite }
}

/**
 * Windows over the whole volume so that scrolling keeps one grey scale: the header's cal_min/cal_max
 * display range when set, then the 1–99 % band of the scaled values. RGB volumes pass through (0..255).
 */
export function volumeWindows(v: NiftiVolume): VoiWindow[] {
  const h = v.header
  if (h.dataType === 'rgb24') return [{ center: 128, width: 256, explanation: 'FULL RANGE' }]
  const data = v.voxels
  const auto =
    data instanceof Float32Array || data instanceof Float64Array
      ? deriveFloatWindow(data, h.slope, h.intercept)
      : deriveWindow(data as StoredArray, h.slope, h.intercept)
  if (!h.calRange) return [auto]
  const [lo, hi] = h.calRange
  return [{ center: (lo + hi) / 2, width: hi - lo, explanation: 'CAL_MIN/CAL_MAX' }, auto]
}

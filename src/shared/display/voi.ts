import type { ViewerVoiFunction } from '../contract/imaging'

/**
 * LINEAR / LINEAR_EXACT as a clipped ramp: 0 at or below `lo`, 255 above `hi`, (x − lo)·255/span between.
 * LINEAR: y = ((x − (c − 0.5)) / (w − 1) + 0.5)·255, i.e. lo = c − 0.5 − (w − 1)/2, span = w − 1.
 * LINEAR_EXACT: y = ((x − c)/w + 0.5)·255, i.e. lo = c − w/2, span = w.
 * Multiplying before dividing keeps exact halves exact, so rounding matches the formulas.
 * LINEAR needs width ≥ 1; narrower windows (float-valued maps) are treated as LINEAR_EXACT.
 */
export function linearRamp(
  fn: ViewerVoiFunction,
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

/**
 * The VOI functions of DICOM PS3.3 C.11.2.1.2 / C.11.2.1.3 for an 8-bit display: the one implementation, which
 * main's renderer (src/main/imaging/render.ts) and the viewer's window/level use, so the viewer shows what
 * `neuropath dicom --png` writes.
 * @param center,width window centre and width in modality units (after Rescale Slope/Intercept).
 * @returns x (modality value) → display value in [0, 255], unrounded.
 */
export function voiFunction(fn: ViewerVoiFunction, center: number, width: number): (x: number) => number {
  if (fn === 'SIGMOID') {
    const w = width > 0 ? width : 1
    return (x) => 255 / (1 + Math.exp((-4 * (x - center)) / w))
  }
  const { lo, hi, span } = linearRamp(fn, center, width)
  return (x) => (x <= lo ? 0 : x > hi ? 255 : ((x - lo) * 255) / span)
}

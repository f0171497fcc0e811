import type { ViewerVoiLut } from '../contract/imaging'

/**
 * A VOI LUT (0028,3010) as a display function, the one implementation main's renderer
 * (src/main/imaging/render.ts) and the viewer's window/level share: modality value x → display value in
 * [0, 255], unrounded. x is looked up at `x − firstMapped` (rounded to the nearest entry: modality values are
 * integers whenever a LUT applies); values outside the table take its first or last entry (PS3.3 C.11.2.1.1).
 */
export function voiLutFunction(lut: ViewerVoiLut): (x: number) => number {
  const last = lut.data.length - 1
  const scale = 255 / (2 ** lut.bits - 1)
  const data = lut.data
  const first = lut.firstMapped
  return (x) => {
    const at = Math.round(x - first)
    // NaN (float data) maps to the first entry, like a value below the table.
    return data[at > 0 ? (at < last ? at : last) : 0] * scale
  }
}

/** The modality value range a LUT covers, as a window: where a window/level drag starting from it begins. */
export function voiLutSpan(lut: ViewerVoiLut): { center: number; width: number } {
  return { center: lut.firstMapped + (lut.data.length - 1) / 2, width: Math.max(1, lut.data.length) }
}

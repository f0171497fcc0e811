import type { FrameData } from '../../../shared/contract/imaging'
import { formatValue } from './stack'

/** Pixel readout under the cursor. */
export interface PixelReadout {
  x: number
  y: number
  /** Value with units, e.g. '-12 HU', or 'R 10 G 20 B 30'. */
  text: string
}

/** The modality value (grey) or RGB of image pixel (x, y) of `f`. */
export function readPixel(f: FrameData, p: { x: number; y: number }): PixelReadout {
  const i = p.y * f.width + p.x
  const text =
    f.samplesPerPixel === 3
      ? `R ${Math.round(f.modality[i * 3])} G ${Math.round(f.modality[i * 3 + 1])} B ${Math.round(f.modality[i * 3 + 2])}`
      : formatValue(f.modality[i], f.units)
  return { x: p.x, y: p.y, text }
}

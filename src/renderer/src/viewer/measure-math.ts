import type { FrameData } from '../../../shared/contract/imaging'

/** A point in image pixel coordinates (continuous: pixel (i, j) spans [i, i+1) × [j, j+1)). */
export interface ImagePoint {
  x: number
  y: number
}

/** A measurement drawn on one frame: a line, or the ellipse inscribed in the box from `a` to `b`. */
export interface Measurement {
  kind: 'length' | 'ellipse'
  a: ImagePoint
  b: ImagePoint
}

/**
 * Length of a line in mm from Pixel Spacing (0028,0030) = [row spacing (y), column spacing (x)] in mm, or in
 * pixels when the frame has no spacing.
 */
export function lineLength(a: ImagePoint, b: ImagePoint, spacing?: [number, number]): { value: number; unit: string } {
  const dx = b.x - a.x
  const dy = b.y - a.y
  if (!spacing) return { value: Math.hypot(dx, dy), unit: 'px' }
  return { value: Math.hypot(dx * spacing[1], dy * spacing[0]), unit: 'mm' }
}

/** Statistics of an elliptical region of interest, in the frame's modality units. */
export interface RoiStats {
  /** Pixels whose centre lies inside the ellipse. */
  pixels: number
  mean: number
  /** Population standard deviation. */
  sd: number
  /** pixels × row spacing × column spacing in mm², or the pixel count when the frame has no spacing. */
  area: number
  areaUnit: 'mm²' | 'px'
  /** 'HU', a Rescale Type, or '' for plain values. */
  units: string
}

/**
 * Mean, SD and area of the grey frame's pixels whose centres lie inside the ellipse inscribed in the box from
 * `a` to `b`. Null for colour frames and for an ellipse holding no pixel centre.
 */
export function ellipseStats(f: FrameData, a: ImagePoint, b: ImagePoint): RoiStats | null {
  if (f.samplesPerPixel !== 1) return null
  const cx = (a.x + b.x) / 2
  const cy = (a.y + b.y) / 2
  const rx = Math.abs(b.x - a.x) / 2
  const ry = Math.abs(b.y - a.y) / 2
  if (rx <= 0 || ry <= 0) return null
  let n = 0
  let sum = 0
  let sq = 0
  const y0 = Math.max(0, Math.floor(cy - ry))
  const y1 = Math.min(f.height - 1, Math.ceil(cy + ry))
  const x0 = Math.max(0, Math.floor(cx - rx))
  const x1 = Math.min(f.width - 1, Math.ceil(cx + rx))
  for (let y = y0; y <= y1; y++) {
    const v = (y + 0.5 - cy) / ry
    for (let x = x0; x <= x1; x++) {
      const u = (x + 0.5 - cx) / rx
      if (u * u + v * v > 1) continue
      const m = f.modality[y * f.width + x]
      n++
      sum += m
      sq += m * m
    }
  }
  if (n === 0) return null
  const mean = sum / n
  const sd = Math.sqrt(Math.max(0, sq / n - mean * mean))
  const sp = f.pixelSpacing
  return {
    pixels: n,
    mean,
    sd,
    area: sp ? n * sp[0] * sp[1] : n,
    areaUnit: sp ? 'mm²' : 'px',
    units: f.units
  }
}

/** One line of text for a measurement, e.g. '50.0 mm' or 'mean 42.1 HU · SD 3.2 · 78.5 mm²'. */
export function describeMeasurement(m: Measurement, f: FrameData): string {
  if (m.kind === 'length') {
    const l = lineLength(m.a, m.b, f.pixelSpacing)
    return `${l.value.toFixed(1)} ${l.unit}`
  }
  const s = ellipseStats(f, m.a, m.b)
  if (!s) return f.samplesPerPixel === 1 ? 'no pixel inside' : 'colour image: no statistics'
  const u = s.units ? ` ${s.units}` : ''
  return `mean ${s.mean.toFixed(1)}${u} · SD ${s.sd.toFixed(1)} · ${s.area.toFixed(1)} ${s.areaUnit}`
}

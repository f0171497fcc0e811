/**
 * DICOM's CIELab encoding (PS3.3 C.10.7.1.1: L* 0..100, a* and b* −128..127, each scaled to 0..65535, D50
 * white) to 8-bit sRGB, for Recommended Display CIELab Value (0062,000D). Out-of-gamut colours are clipped.
 */
export function dicomLabToRgb(lab: [number, number, number]): [number, number, number] {
  const L = (lab[0] / 65535) * 100
  const a = (lab[1] / 65535) * 255 - 128
  const b = (lab[2] / 65535) * 255 - 128
  // Lab → XYZ (D50).
  const fy = (L + 16) / 116
  const fx = fy + a / 500
  const fz = fy - b / 200
  const inv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27))
  const X = 0.96422 * inv(fx)
  const Y = 1.0 * (L > 8 ? fy ** 3 : L / (24389 / 27))
  const Z = 0.82521 * inv(fz)
  // XYZ (D50) → linear sRGB (D65), Bradford-adapted matrix.
  const r = 3.1338561 * X - 1.6168667 * Y - 0.4906146 * Z
  const g = -0.9787684 * X + 1.9161415 * Y + 0.033454 * Z
  const bl = 0.0719453 * X - 0.2289914 * Y + 1.4052427 * Z
  const gamma = (c: number) => {
    const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055
    return Math.round(Math.min(1, Math.max(0, v)) * 255)
  }
  return [gamma(r), gamma(g), gamma(bl)]
}

/** Distinct colours for segments whose file recommends none, by segment number (1-based). */
const PALETTE: [number, number, number][] = [
  [255, 64, 64],
  [64, 200, 255],
  [255, 200, 40],
  [120, 230, 90],
  [220, 100, 255],
  [255, 140, 60]
]

/** The fallback colour of segment `n` (1-based). */
export function defaultSegmentColor(n: number): [number, number, number] {
  return PALETTE[(Math.max(1, n) - 1) % PALETTE.length]
}

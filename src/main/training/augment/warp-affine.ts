import type { ResolvedAugmentConfig } from './config'

/**
 * tf.image.transform's affine case on plain Float32Arrays: NHWC `[n, h, w, c]` images, one 8-number row per
 * image (augment/affine.ts: x' = a0·x + a1·y + a2, y' = b0·x + b1·y + b2, c0 = c1 = 0), fill value 0,
 * the same fill modes (TensorFlow's image_ops.h: 'reflect' dcba|abcd|dcba, 'wrap', 'nearest' clamps,
 * 'constant' reads 0 for each neighbour outside) and the same bilinear / nearest (round half up) sampling.
 *
 * Why not tfjs: the wasm kernel evaluates the coordinate map and four bounds-checked reads per channel and
 * took about 3.8 CPU-ms per 224² RGB image, a third of a stage-2 step on ONNX Runtime; ONNX's GridSample
 * was no cheaper. Here the sample point and its weights are computed once per pixel for all channels, and
 * the point moves by (a0, b0) along a row. Checked against tf.image.transform on the cpu backend
 * (test/unit/training/warp-affine.test.ts).
 */
export function warpAffine(
  src: Float32Array,
  shape: readonly [number, number, number, number],
  rows: readonly (readonly number[])[],
  cfg: Pick<ResolvedAugmentConfig, 'fillMode' | 'interpolation'>,
  out = new Float32Array(src.length)
): Float32Array {
  const [n, h, w, c] = shape
  if (rows.length !== n) throw new Error(`warpAffine: ${rows.length} transform rows for ${n} images`)
  const mapX = coordinateMap(cfg.fillMode, w)
  const mapY = coordinateMap(cfg.fillMode, h)
  const rowStride = w * c
  const plane = h * rowStride
  const bilinear = cfg.interpolation === 'bilinear'
  for (let b = 0; b < n; b++) {
    const [a0, a1, a2, b0, b1, b2] = rows[b]
    const base = b * plane
    let o = base
    for (let y = 0; y < h; y++) {
      let sx = a1 * y + a2
      let sy = b1 * y + b2
      for (let x = 0; x < w; x++, sx += a0, sy += b0, o += c) {
        const px = mapX(sx)
        const py = mapY(sy)
        if (!bilinear) {
          const rx = Math.round(px)
          const ry = Math.round(py)
          if (rx < 0 || rx >= w || ry < 0 || ry >= h) {
            for (let k = 0; k < c; k++) out[o + k] = 0
          } else {
            const at = base + ry * rowStride + rx * c
            for (let k = 0; k < c; k++) out[o + k] = src[at + k]
          }
          continue
        }
        const x0 = Math.floor(px)
        const y0 = Math.floor(py)
        const fx = px - x0
        const fy = py - y0
        // Neighbour weights, zero where the neighbour lies outside (the fill value 0 contributes nothing).
        const inX0 = x0 >= 0 && x0 < w
        const inX1 = x0 + 1 >= 0 && x0 + 1 < w
        const inY0 = y0 >= 0 && y0 < h
        const inY1 = y0 + 1 >= 0 && y0 + 1 < h
        const w00 = inY0 && inX0 ? (1 - fy) * (1 - fx) : 0
        const w01 = inY0 && inX1 ? (1 - fy) * fx : 0
        const w10 = inY1 && inX0 ? fy * (1 - fx) : 0
        const w11 = inY1 && inX1 ? fy * fx : 0
        const i00 = base + y0 * rowStride + x0 * c
        const i10 = i00 + rowStride
        for (let k = 0; k < c; k++) {
          let v = 0
          if (w00 !== 0) v += w00 * src[i00 + k]
          if (w01 !== 0) v += w01 * src[i00 + c + k]
          if (w10 !== 0) v += w10 * src[i10 + k]
          if (w11 !== 0) v += w11 * src[i10 + c + k]
          out[o + k] = v
        }
      }
    }
  }
  return out
}

/** The fill mode's map from a sample coordinate to the coordinate read, for an axis of `len` pixels. */
function coordinateMap(mode: ResolvedAugmentConfig['fillMode'], len: number): (v: number) => number {
  const clamp = (v: number): number => (v < 0 ? 0 : v > len - 1 ? len - 1 : v)
  if (mode === 'nearest') return clamp
  if (mode === 'constant') return (v) => v
  if (len <= 1) return () => 0
  if (mode === 'reflect') {
    const sz2 = 2 * len
    return (v) => {
      if (v < 0) {
        if (v < sz2) v = sz2 * Math.trunc(-v / sz2) + v
        v = v < -len ? v + sz2 : -v - 1
      } else if (v > len - 1) {
        v -= sz2 * Math.trunc(v / sz2)
        if (v >= len) v = sz2 - v - 1
      }
      return clamp(v)
    }
  }
  const sz = len - 1
  return (v) => {
    if (v < 0) v += len * (Math.trunc(-v / sz) + 1)
    else if (v > len - 1) v -= len * Math.trunc(v / sz)
    return clamp(v)
  }
}

import type { InputScaling } from '../backbone/types'

/**
 * 8-bit interleaved pixels with `channels` = 1 (grey, replicated) or 3 (RGB) → float32 RGB HWC scaled per
 * `scaling`: v/255 for '[0,1]', v/127.5 − 1 for '[-1,1]'. Output length = pixel count × 3.
 */
export function scalePixels(pixels: Uint8Array, channels: 1 | 3, scaling: InputScaling): Float32Array {
  const lut = new Float32Array(256)
  for (let v = 0; v < 256; v++) lut[v] = scaling === '[0,1]' ? v / 255 : v / 127.5 - 1
  if (channels === 3) {
    const out = new Float32Array(pixels.length)
    for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]]
    return out
  }
  const out = new Float32Array(pixels.length * 3)
  for (let i = 0, o = 0; i < pixels.length; i++, o += 3) {
    const v = lut[pixels[i]]
    out[o] = v
    out[o + 1] = v
    out[o + 2] = v
  }
  return out
}

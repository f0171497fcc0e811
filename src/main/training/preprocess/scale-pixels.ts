import type { InputScaling } from '../backbone/types'

/**
 * Where a model input is written: `out` from `offset` on (e.g. its row of a batch), so a batch is filled
 * in place instead of through one 600 KB array per 224² image (allocation, a copy and garbage). A
 * Uint8Array receives the 8-bit RGB values unscaled, for a backbone that scales them itself
 * (BackboneRuntime.runPixels).
 */
export interface ModelInputTarget {
  out: Float32Array | Uint8Array
  /** First element written. */
  offset: number
}

const LUTS: Record<InputScaling, Float32Array> = {
  '[0,1]': Float32Array.from({ length: 256 }, (_, v) => v / 255),
  '[-1,1]': Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1)
}

/**
 * 8-bit interleaved pixels with `channels` = 1 (grey, replicated) or 3 (RGB) → float32 RGB HWC scaled per
 * `scaling`: v/255 for '[0,1]', v/127.5 − 1 for '[-1,1]'. Output length = pixel count × 3; written into
 * `into` when given (and returned as a view of it; unscaled bytes for a Uint8Array), else into a new array.
 */
export function scalePixels(
  pixels: Uint8Array,
  channels: 1 | 3,
  scaling: InputScaling,
  into?: ModelInputTarget
): Float32Array | Uint8Array {
  const n = channels === 3 ? pixels.length : pixels.length * 3
  if (into && into.offset + n > into.out.length) {
    throw new RangeError(`scalePixels: ${n} values do not fit at ${into.offset} of ${into.out.length}`)
  }
  if (into?.out instanceof Uint8Array) {
    const bytes = into.out.subarray(into.offset, into.offset + n)
    if (channels === 3) bytes.set(pixels)
    else for (let i = 0, o = 0; i < pixels.length; i++, o += 3) bytes[o] = bytes[o + 1] = bytes[o + 2] = pixels[i]
    return bytes
  }
  const lut = LUTS[scaling]
  const out = into ? (into.out as Float32Array).subarray(into.offset, into.offset + n) : new Float32Array(n)
  if (channels === 3) {
    for (let i = 0; i < pixels.length; i++) out[i] = lut[pixels[i]]
    return out
  }
  for (let i = 0, o = 0; i < pixels.length; i++, o += 3) {
    const v = lut[pixels[i]]
    out[o] = v
    out[o + 1] = v
    out[o + 2] = v
  }
  return out
}

/**
 * The 256 float32 values `scaling` maps 8-bit values to, the table scalePixels reads: a graph that scales
 * pixels by looking them up in it gives bit-identical inputs (and so outputs) to the JS path.
 */
export function scalingLut(scaling: InputScaling): Float32Array {
  return LUTS[scaling]
}

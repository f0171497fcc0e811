import { AppError } from '../../../shared/errors'
import type { StoredArray } from '../types'

type Samples = StoredArray

/**
 * Planar Configuration 1 (all of sample 0, then sample 1, ...) → pixel-interleaved, same element type.
 * @param pixels pixel count of the frame (rows × columns).
 */
export function planarToInterleaved<T extends Samples>(src: T, pixels: number, spp: number): T {
  const out = new (src.constructor as new (n: number) => T)(pixels * spp)
  for (let c = 0; c < spp; c++) {
    const base = c * pixels
    for (let i = 0, o = c; i < pixels; i++, o += spp) out[o] = src[base + i]
  }
  return out
}

/**
 * YBR_FULL_422 native layout (Y1 Y2 Cb Cr per pixel pair, PS3.3 C.7.6.3.1.2) → full-resolution Y Cb Cr
 * interleaved, chroma repeated for both pixels of the pair.
 */
export function upsample422(src: Samples, rows: number, columns: number): Samples {
  const out = new (src.constructor as new (n: number) => Samples)(rows * columns * 3)
  const pairs = Math.ceil(columns / 2)
  for (let y = 0; y < rows; y++) {
    for (let p = 0; p < pairs; p++) {
      const i = (y * pairs + p) * 4
      const cb = src[i + 2]
      const cr = src[i + 3]
      const x = p * 2
      let o = (y * columns + x) * 3
      out[o] = src[i]
      out[o + 1] = cb
      out[o + 2] = cr
      if (x + 1 < columns) {
        o += 3
        out[o] = src[i + 1]
        out[o + 1] = cb
        out[o + 2] = cr
      }
    }
  }
  return out
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v)

/**
 * Interleaved colour samples → RGB 0..255 floats. Handles RGB, YBR_FULL(_422 after upsampling) and
 * YBR_PARTIAL_422/420 using the ITU-R BT.601 equations of PS3.3 C.7.6.3.1.2.
 * @param bitsStored scales samples wider than 8 bits down to 0..255.
 */
export function toRgb(src: Samples, photometric: string, bitsStored: number, where: string): Float32Array {
  const out = new Float32Array(src.length)
  const scale = bitsStored > 8 ? 255 / (2 ** bitsStored - 1) : 1
  const n = src.length
  if (photometric === 'RGB') {
    for (let i = 0; i < n; i++) out[i] = src[i] * scale
    return out
  }
  const full = photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422'
  const partial = photometric === 'YBR_PARTIAL_422' || photometric === 'YBR_PARTIAL_420'
  if (!full && !partial) {
    throw new AppError('UNSUPPORTED', `${where}: photometric interpretation ${photometric} is not supported`)
  }
  for (let i = 0; i < n; i += 3) {
    const y = src[i] * scale
    const cb = src[i + 1] * scale - 128
    const cr = src[i + 2] * scale - 128
    if (full) {
      out[i] = clamp255(y + 1.402 * cr)
      out[i + 1] = clamp255(y - 0.344136 * cb - 0.714136 * cr)
      out[i + 2] = clamp255(y + 1.772 * cb)
    } else {
      const yy = 1.1644 * (y - 16)
      out[i] = clamp255(yy + 1.596 * cr)
      out[i + 1] = clamp255(yy - 0.3918 * cb - 0.813 * cr)
      out[i + 2] = clamp255(yy + 2.0172 * cb)
    }
  }
  return out
}

/** One channel of a Palette Color LUT (PS3.3 C.7.6.3.1.5), entries already scaled to 0..255. */
export interface PaletteChannel {
  /** Descriptor value 1: stored value mapped to the first entry. */
  firstMapped: number
  entries: Float32Array
}

/**
 * Reads a palette channel from its descriptor (0028,110x: entries (0 means 65536), first mapped value,
 * bits per entry) and data (0028,120x). 8-bit tables may be packed one entry per byte or one per 16-bit word.
 */
export function readPaletteChannel(
  descriptor: number[],
  data: Uint8Array,
  bigEndian: boolean,
  where: string
): PaletteChannel {
  const count = descriptor[0] === 0 ? 65536 : descriptor[0]
  const bits = descriptor[2]
  const entries = new Float32Array(count)
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  if (bits === 8 && data.length < count * 2) {
    if (data.length < count)
      throw new AppError('CORRUPT', `${where}: palette LUT has ${data.length} bytes for ${count} entries`)
    for (let i = 0; i < count; i++) entries[i] = data[i]
  } else {
    if (data.length < count * 2)
      throw new AppError('CORRUPT', `${where}: palette LUT has ${data.length} bytes for ${count} entries`)
    const scale = bits === 8 ? 1 : 255 / 65535
    for (let i = 0; i < count; i++) {
      const v = dv.getUint16(i * 2, !bigEndian)
      // Some writers put 8-bit entries in the high byte of each word.
      entries[i] = bits === 8 ? (v > 255 ? v >> 8 : v) : v * scale
    }
  }
  return { firstMapped: descriptor[1], entries }
}

/** Applies a palette: one index per pixel → RGB interleaved 0..255. Out-of-range indices clamp to the ends. */
export function applyPalette(
  index: Samples,
  red: PaletteChannel,
  green: PaletteChannel,
  blue: PaletteChannel
): Float32Array {
  const n = index.length
  const out = new Float32Array(n * 3)
  const channels = [red, green, blue]
  for (let c = 0; c < 3; c++) {
    const { firstMapped, entries } = channels[c]
    const last = entries.length - 1
    for (let i = 0; i < n; i++) {
      let k = index[i] - firstMapped
      k = k < 0 ? 0 : k > last ? last : k
      out[i * 3 + c] = entries[k]
    }
  }
  return out
}

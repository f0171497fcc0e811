import type { ViewerVoiFunction, ViewerVoiLut } from '../contract/imaging'
import { voiFunction } from './voi'
import { voiLutFunction } from './voi-lut'

/** The pixels of one frame as main sends them (see `FrameData`). */
export interface FramePixels {
  /** Grey: modality values, width×height. Colour: RGB 0..255 interleaved, width×height×3. */
  modality: Float32Array
  width: number
  height: number
  samplesPerPixel: 1 | 3
  /** Smallest / largest modality value. */
  min: number
  max: number
  /** Every value is an integer: a lookup table indexed by value replaces per-pixel arithmetic. */
  integer: boolean
}

/** A window to apply, in modality units; `null` shows colour images as stored. */
export interface WindowParams {
  center: number
  width: number
  fn: ViewerVoiFunction
  /** A VOI LUT Sequence (0028,3010) item to apply instead of center/width (grey only). */
  lut?: ViewerVoiLut
}

/** Widest value span that gets a lookup table (2^20 entries = 4 MiB); wider integer data is computed per pixel. */
const MAX_LUT_SPAN = 1 << 20

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Packs an opaque grey level into one RGBA pixel as the platform's Uint32 sees it. */
function greyPixel(y: number): number {
  return LITTLE_ENDIAN ? (0xff000000 | (y << 16) | (y << 8) | y) >>> 0 : ((y << 24) | (y << 16) | (y << 8) | 0xff) >>> 0
}

/**
 * Applies window/level to one frame, reusing its buffers, for smooth dragging. Everything that depends only
 * on the frame (the output buffer, each pixel's lookup-table index) is prepared once in the constructor; each
 * `render` then builds one lookup table over the frame's value range and makes one pass over the pixels.
 */
export class WindowRenderer {
  /** RGBA output, width×height×4, alpha 255; what `render` returns. */
  readonly rgba: Uint8ClampedArray
  private readonly out32: Uint32Array
  /** value − min per grey pixel, when the data is integer and its span is small enough. */
  private readonly index: Uint32Array | null = null
  private readonly lut: Uint32Array | null = null

  constructor(private readonly px: FramePixels) {
    const n = px.width * px.height
    const expected = n * px.samplesPerPixel
    if (px.modality.length !== expected) {
      throw new Error(
        `frame of ${px.width}×${px.height}×${px.samplesPerPixel} needs ${expected} values, got ${px.modality.length}`
      )
    }
    this.rgba = new Uint8ClampedArray(n * 4)
    this.out32 = new Uint32Array(this.rgba.buffer)
    const span = px.max - px.min
    if (px.samplesPerPixel === 1 && px.integer && span < MAX_LUT_SPAN) {
      this.index = new Uint32Array(n)
      const src = px.modality
      for (let i = 0; i < n; i++) this.index[i] = src[i] - px.min
      this.lut = new Uint32Array(span + 1)
    }
  }

  /**
   * Renders with `win` (or, for colour only, as stored when `win` is null) and inverts when asked
   * (MONOCHROME1 or the user's toggle).
   * @returns the RGBA buffer (the same object every call).
   */
  render(win: WindowParams | null, invert: boolean): Uint8ClampedArray {
    const px = this.px
    const src = px.modality
    const out32 = this.out32
    const n = px.width * px.height
    if (px.samplesPerPixel === 3) {
      const table = new Uint8Array(256)
      const f = win ? voiFunction('LINEAR', win.center, win.width) : null
      for (let v = 0; v < 256; v++) {
        const y = f ? Math.round(f(v)) : v
        table[v] = invert ? 255 - y : y
      }
      const out = this.rgba
      for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += 4) {
        out[k] = table[clampByte(src[j])]
        out[k + 1] = table[clampByte(src[j + 1])]
        out[k + 2] = table[clampByte(src[j + 2])]
        out[k + 3] = 255
      }
      return out
    }
    const w = win ?? { center: (px.min + px.max) / 2, width: Math.max(px.max - px.min, 1), fn: 'LINEAR' as const }
    const f = w.lut ? voiLutFunction(w.lut) : voiFunction(w.fn, w.center, w.width)
    if (this.index && this.lut) {
      const lut = this.lut
      const min = px.min
      for (let v = 0; v < lut.length; v++) {
        const y = Math.round(f(v + min))
        lut[v] = greyPixel(invert ? 255 - y : y)
      }
      const index = this.index
      for (let i = 0; i < n; i++) out32[i] = lut[index[i]]
    } else {
      for (let i = 0; i < n; i++) {
        const y = Math.round(f(src[i]))
        out32[i] = greyPixel(invert ? 255 - y : y)
      }
    }
    return this.rgba
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v)
}

/** Smallest, largest and whether all are integers: what `FramePixels` needs when main did not send it. */
export function describeValues(values: Float32Array): { min: number; max: number; integer: boolean } {
  let min = Infinity
  let max = -Infinity
  let integer = true
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v < min) min = v
    if (v > max) max = v
    if (integer && v !== Math.round(v)) integer = false
  }
  return values.length ? { min, max, integer } : { min: 0, max: 0, integer: true }
}

/**
 * Window/level as one pure call: modality values (width×height grey, or ×3 RGB) → RGBA bytes for a canvas
 * `ImageData`. `center`/`width` are in modality units; `fn` is the VOI LUT Function (0028,1056).
 * @returns Uint8ClampedArray of width×height×4.
 */
export function applyWindow(
  modality: Float32Array,
  width: number,
  height: number,
  center: number,
  windowWidth: number,
  invert: boolean,
  fn: ViewerVoiFunction = 'LINEAR'
): Uint8ClampedArray {
  const samplesPerPixel = modality.length === width * height * 3 ? 3 : 1
  const r = new WindowRenderer({ modality, width, height, samplesPerPixel, ...describeValues(modality) })
  return r.render({ center, width: windowWidth, fn }, invert)
}

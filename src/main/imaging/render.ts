import { AppError } from '../../shared/errors'
import type { DecodedImage, VoiWindow } from './types'
import { linearRamp, voiFunction } from './voi'
import { voiLutFunction } from '../../shared/display/voi-lut'

/** Options for `renderWindowed`. */
export interface RenderOptions {
  /** Overrides the image's own inversion (MONOCHROME1 renders inverted by default). */
  invert?: boolean
}

/**
 * Maps a decoded image to 8-bit display values.
 * Grey without `win`: the first VOI LUT Sequence (0028,3010) item when the file has one. Otherwise applies the
 * image's VOI LUT Function (0028,1056) — LINEAR, LINEAR_EXACT or SIGMOID per
 * PS3.3 C.11.2.1.2 — with `win` or the image's default window, then inverts for MONOCHROME1.
 * Colour: RGB passes through (clamped); a given `win` is applied to each channel.
 * @returns Uint8Array of width×height (grey) or width×height×3 (RGB interleaved).
 */
export function renderWindowed(
  img: DecodedImage,
  win?: Pick<VoiWindow, 'center' | 'width'>,
  opts: RenderOptions = {}
): Uint8Array {
  const n = img.modality.length
  const out = new Uint8Array(n)
  const invert = opts.invert ?? img.invert
  const src = img.modality
  // The file's VOI LUT (0028,3010) is the default display of a grey image; a given window replaces it.
  const lut = !win && img.samplesPerPixel === 1 ? img.voiLuts?.[0] : undefined
  if (lut) {
    const f = voiLutFunction(lut)
    for (let i = 0; i < n; i++) {
      const y = Math.round(f(src[i]))
      out[i] = invert ? 255 - y : y
    }
    return out
  }
  const chosen = win ?? (img.samplesPerPixel === 1 ? img.windows[0] : undefined)
  if (chosen && !(Number.isFinite(chosen.center) && chosen.width > 0)) {
    throw new AppError('INVALID_ARGUMENT', `window center ${chosen.center} / width ${chosen.width} is not usable`)
  }
  if (!chosen) {
    for (let i = 0; i < n; i++) {
      const v = src[i] < 0 ? 0 : src[i] > 255 ? 255 : src[i]
      out[i] = invert ? 255 - Math.round(v) : Math.round(v)
    }
    return out
  }
  if (img.samplesPerPixel === 1 && img.voiLutFunction === 'SIGMOID') {
    const f = voiFunction('SIGMOID', chosen.center, chosen.width)
    for (let i = 0; i < n; i++) {
      const y = Math.round(f(src[i]))
      out[i] = invert ? 255 - y : y
    }
    return out
  }
  // The ramp is inlined: this loop runs once per pixel on every window drag.
  const fn = img.samplesPerPixel === 1 ? img.voiLutFunction : 'LINEAR'
  const { lo, hi, span } = linearRamp(fn, chosen.center, chosen.width)
  const top = invert ? 0 : 255
  const bottom = invert ? 255 : 0
  for (let i = 0; i < n; i++) {
    const x = src[i]
    if (x <= lo) out[i] = bottom
    else if (x > hi) out[i] = top
    else {
      const y = Math.floor(((x - lo) * 255) / span + 0.5)
      out[i] = invert ? 255 - y : y
    }
  }
  return out
}

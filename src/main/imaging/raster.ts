import sharp, { type OutputInfo } from 'sharp'
import { AppError } from '../../shared/errors'
import type { DecodedImage, ImageHeader, ImageKind, StoredArray, VoiWindow } from './types'
import { viewSamples } from './dicom/stored'
import { deriveWindow } from './voi'

function failed(path: string, err: unknown): AppError {
  const msg = err instanceof Error ? err.message : String(err)
  if (/no such file|ENOENT/i.test(msg)) return new AppError('NOT_FOUND', `${path}: no such file`)
  return new AppError('CORRUPT', `${path}: image does not decode (${msg.split('\n')[0]})`)
}

/** Width/height of a PNG or JPEG from its header (no pixel decode). */
export async function readRasterHeader(path: string, kind: ImageKind): Promise<ImageHeader> {
  try {
    const meta = await sharp(path).metadata()
    return { kind, width: meta.width ?? 0, height: meta.height ?? 0, frames: 1 }
  } catch (err) {
    throw failed(path, err)
  }
}

/**
 * Decodes a PNG or JPEG (8 or 16 bit; grey, grey+alpha, RGB, RGBA) through sharp, without EXIF rotation.
 * `stored` holds the colour channels as decoded (alpha dropped); `modality` is flattened onto black by alpha,
 * grey in native units (0..255 or 0..65535), colour scaled to 0..255.
 * @param bytes the file's contents when already read; `path` then only names it in errors.
 */
export async function decodeRaster(path: string, kind: ImageKind, bytes?: Buffer): Promise<DecodedImage> {
  let data: Buffer
  let info: OutputInfo
  let sixteen: boolean
  let grey: boolean
  try {
    const img = sharp(bytes ?? path, { failOn: 'error' })
    const meta = await img.metadata()
    sixteen = meta.depth === 'ushort' || meta.depth === 'short'
    grey = (meta.channels ?? 3) <= 2
    // Without an explicit colourspace sharp expands grey to sRGB and 16-bit to 8-bit on output; but the
    // grey colourspaces drop alpha, so grey+alpha is read as RGBA (R = G = B) and channel 0 kept.
    const space = grey && !meta.hasAlpha ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb'
    ;({ data, info } = await img
      .toColourspace(space)
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true }))
  } catch (err) {
    throw failed(path, err)
  }
  const { width, height, channels } = info
  const pixels = width * height
  if (data.length < pixels * channels * (sixteen ? 2 : 1)) {
    throw new AppError('CORRUPT', `${path}: decoder returned ${data.length} bytes for ${width}×${height}×${channels}`)
  }
  const src = viewSamples(data, sixteen ? 16 : 8, false)
  const maxValue = sixteen ? 65535 : 255
  const colour = !grey
  const spp = colour ? 3 : 1
  const hasAlpha = channels === 2 || channels === 4
  const stored: StoredArray = sixteen ? new Uint16Array(pixels * spp) : new Uint8Array(pixels * spp)
  const modality = new Float32Array(pixels * spp)
  const toDisplay = colour ? 255 / maxValue : 1
  for (let p = 0; p < pixels; p++) {
    const at = p * channels
    const alpha = hasAlpha ? src[at + channels - 1] / maxValue : 1
    for (let c = 0; c < spp; c++) {
      const v = src[at + c]
      stored[p * spp + c] = v
      modality[p * spp + c] = v * alpha * toDisplay
    }
  }
  let windows: VoiWindow[]
  if (colour || !sixteen) windows = [{ center: 128, width: 256, explanation: 'FULL RANGE' }]
  else windows = [deriveWindow(stored, 1, 0), { center: 32768, width: 65536, explanation: 'FULL RANGE' }]
  return {
    kind,
    width,
    height,
    frames: 1,
    frame: 0,
    samplesPerPixel: spp,
    photometric: colour ? 'RGB' : 'MONOCHROME2',
    modality,
    stored,
    windows,
    voiLutFunction: 'LINEAR',
    invert: false,
    units: ''
  }
}

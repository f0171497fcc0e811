import sharp from 'sharp'
import { renderWindowed, type RenderOptions } from './render'
import type { DecodedImage, VoiWindow } from './types'

/**
 * Encodes the windowed rendering (default window unless `win` is given) as an 8-bit PNG,
 * grey or RGB to match the image.
 */
export async function encodePng(
  img: DecodedImage,
  win?: Pick<VoiWindow, 'center' | 'width'>,
  opts?: RenderOptions
): Promise<Buffer> {
  const pixels = renderWindowed(img, win, opts)
  const raw = sharp(pixels, { raw: { width: img.width, height: img.height, channels: img.samplesPerPixel } })
  // sharp writes sRGB unless told otherwise; keep grey images one channel.
  return (img.samplesPerPixel === 1 ? raw.toColourspace('b-w') : raw).png().toBuffer()
}

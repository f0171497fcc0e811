import fs from 'node:fs/promises'
import sharp from 'sharp'
import { AppError } from '../../../shared/errors'
import { sniffKind } from '../../imaging'
import { scalePixels, type ModelInputTarget } from './scale-pixels'
import type { PreprocessSpec } from './spec'

/**
 * 8-bit PNG/JPEG straight through libvips (decode + resize in one native pipeline, off the JS thread),
 * or null when the file is anything else (DICOM, 16-bit, CMYK, …) and needs the imaging core.
 * For these files imaging's decode + renderWindowed is the identity (full-range window, alpha multiplied
 * onto black), so the result equals the general path up to rounding of partly transparent pixels; the
 * general path costs ~30 ms of JS per 512² image, this one a few ms.
 */
export async function loadRaster8(
  filePath: string,
  spec: PreprocessSpec,
  into?: ModelInputTarget
): Promise<Float32Array | Uint8Array | null> {
  let bytes: Buffer
  try {
    bytes = await fs.readFile(filePath)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw new AppError(code, `${filePath}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  const kind = sniffKind(bytes.subarray(0, 132))
  if (kind !== 'png' && kind !== 'jpeg') return null
  const size = spec.inputSize
  try {
    const img = sharp(bytes, { failOn: 'error' })
    const meta = await img.metadata()
    if (meta.depth !== 'uchar' || (meta.space !== 'srgb' && meta.space !== 'b-w')) return null
    let pipeline = meta.hasAlpha ? img.flatten({ background: { r: 0, g: 0, b: 0 } }) : img
    if (kind === 'jpeg') {
      // libvips would otherwise shrink JPEGs in the DCT domain while decoding, which the general path cannot.
      const full = await pipeline.raw().toBuffer({ resolveWithObject: true })
      const { width, height, channels } = full.info
      pipeline = sharp(full.data, { raw: { width, height, channels } })
    }
    const { data, info } = await pipeline
      .resize(size, size, { kernel: 'linear', fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true })
    if ((info.channels !== 1 && info.channels !== 3) || data.length !== size * size * info.channels) return null
    return scalePixels(data, info.channels, spec.scaling, into)
  } catch (err) {
    throw new AppError('CORRUPT', `${filePath}: image does not decode (${(err as Error).message.split('\n')[0]})`)
  }
}

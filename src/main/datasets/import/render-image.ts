import sharp, { type OutputInfo } from 'sharp'
import { AppError } from '../../../shared/errors'
import { decodeImage, renderWindowed } from '../../imaging'
import type { ItemKind } from '../../../shared/contract/datasets'
import type { VolumePlane } from '../../imaging/nifti'
import type { Raster8 } from './resample'

/** Which frame of a file an item is: a DICOM frame, or a volume slice along `plane`. */
export interface FrameRef {
  frame?: number
  plane?: VolumePlane | null
}

/**
 * The 8-bit display rendering of one frame (default 0) of an image file, used for thumbnails and dHash.
 * DICOM and 16-bit PNG go through the imaging core (default VOI window, MONOCHROME1 inverted); 8-bit PNG and
 * JPEG are decoded once by sharp straight from `bytes` (no EXIF rotation, alpha flattened onto black).
 * @param bytes the whole file when already read (PNG/JPEG fast path); DICOM is re-read by the imaging core.
 * @throws AppError CORRUPT / UNSUPPORTED naming the file.
 */
export async function renderImage(
  filePath: string,
  kind: ItemKind,
  bytes?: Buffer,
  at: FrameRef = {}
): Promise<Raster8> {
  if (kind === 'dicom' || kind === 'nifti' || (kind === 'png' && bytes && pngBitDepth(bytes) === 16) || !bytes) {
    const img = await decodeImage(filePath, { frame: at.frame ?? 0, plane: at.plane ?? undefined })
    return { width: img.width, height: img.height, channels: img.samplesPerPixel, data: renderWindowed(img) }
  }
  let data: Buffer
  let info: OutputInfo
  try {
    // sharp converts to sRGB unless told otherwise: keep grey PNGs single-channel (a third of the work).
    const pipe = sharp(bytes, { failOn: 'error' })
    if (kind === 'png' && isGreyPng(bytes)) pipe.toColourspace('b-w')
    ;({ data, info } = await pipe.raw().toBuffer({ resolveWithObject: true }))
  } catch (err) {
    throw new AppError('CORRUPT', `${filePath}: image does not decode (${(err as Error).message.split('\n')[0]})`)
  }
  return flattenAlpha(data, info.width, info.height, info.channels)
}

/** PNG IHDR bit depth (byte 24), or 0 when the buffer is too short. */
function pngBitDepth(bytes: Buffer): number {
  return bytes.length > 24 ? bytes[24] : 0
}

/** PNG IHDR colour type (byte 25) 0 = grey or 4 = grey + alpha. */
function isGreyPng(bytes: Buffer): boolean {
  return bytes.length > 25 && (bytes[25] === 0 || bytes[25] === 4)
}

/** sharp's 1–4 channel output → grey or RGB, premultiplying any alpha onto black. */
function flattenAlpha(data: Buffer, width: number, height: number, channels: number): Raster8 {
  if (channels === 1 || channels === 3) {
    return { width, height, channels, data: new Uint8Array(data.buffer, data.byteOffset, width * height * channels) }
  }
  const colour = channels >= 3
  const outCh = colour ? 3 : 1
  const n = width * height
  const out = new Uint8Array(n * outCh)
  for (let p = 0; p < n; p++) {
    const a = data[p * channels + channels - 1] / 255
    for (let c = 0; c < outCh; c++) out[p * outCh + c] = Math.round(data[p * channels + c] * a)
  }
  return { width, height, channels: outCh, data: out }
}

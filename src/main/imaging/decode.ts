import { AppError } from '../../shared/errors'
import { decodeParsedDicom } from './dicom/decode'
import { parseDicomFull, readFileBytes } from './dicom/parse'
import { decodeRaster } from './raster'
import { sniffKind } from './sniff'
import type { DecodedImage } from './types'

/** Options for `decodeImage`. */
export interface DecodeOptions {
  /** Frame to decode, 0-based (default 0). PNG/JPEG have only frame 0. */
  frame?: number
}

/**
 * Decodes one frame of a DICOM, PNG or JPEG file (recognised by content) into modality values,
 * stored values and VOI windows.
 * @throws AppError NOT_FOUND, UNSUPPORTED (format, transfer syntax, pixel layout), CORRUPT, INVALID_ARGUMENT (frame).
 */
export async function decodeImage(filePath: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const frame = opts.frame ?? 0
  // One read serves sniffing, parsing and decoding: opening the file twice costs more than a slice's pixels.
  const bytes = await readFileBytes(filePath)
  const kind = sniffKind(bytes)
  if (!kind) throw new AppError('UNSUPPORTED', `${filePath}: not a DICOM, PNG or JPEG file (content not recognised)`)
  if (kind === 'dicom') return (await decodeParsedDicom(parseDicomFull(bytes, filePath), frame)).image
  if (frame !== 0)
    throw new AppError('INVALID_ARGUMENT', `${filePath}: frame ${frame} does not exist (${kind} has 1, counted from 0)`)
  return decodeRaster(filePath, kind, bytes)
}

import { readDicomImageHeader } from './dicom/header'
import { readRasterHeader } from './raster'
import { requireKind } from './sniff'
import type { ImageHeader } from './types'

/**
 * Fast header for indexing: kind, size, frames, and for DICOM the patient/study/series/instance
 * identifiers and geometry. Never decodes pixels; DICOM parsing stops at Pixel Data (7FE0,0010).
 * @throws AppError NOT_FOUND, UNSUPPORTED (unrecognised content), CORRUPT.
 */
export async function readImageHeader(filePath: string): Promise<ImageHeader> {
  const kind = await requireKind(filePath)
  return kind === 'dicom' ? readDicomImageHeader(filePath) : readRasterHeader(filePath, kind)
}

import { decodeParsedDicom } from './dicom/decode'
import { parseDicomFull, readFileBytes } from './dicom/parse'
import { transferSyntaxName } from './dicom/transfer-syntax'
import { sniffKind } from './sniff'
import { AppError } from '../../shared/errors'
import { storedSha256, storedStats } from './stats'
import type { DicomSummary } from './types'

/**
 * What `neuropath dicom FILE [--frame N] --json` prints: the pixel module, the default window and
 * statistics plus a SHA-256 of frame `frame`'s stored values (0-based), before rescale.
 * @throws AppError UNSUPPORTED when the file is not DICOM; otherwise as `decodeImage`.
 */
export async function dicomSummary(filePath: string, frame = 0): Promise<DicomSummary> {
  const bytes = await readFileBytes(filePath)
  const kind = sniffKind(bytes)
  if (kind !== 'dicom') {
    throw new AppError('UNSUPPORTED', `${filePath}: ${kind ? `is a ${kind.toUpperCase()} file` : 'not a DICOM file'}`)
  }
  const parsed = parseDicomFull(bytes, filePath)
  const r = await decodeParsedDicom(parsed, frame)
  const pm = r.pixelModule
  const out: DicomSummary = {
    file: filePath,
    transferSyntaxUID: r.transferSyntaxUID,
    transferSyntaxName: transferSyntaxName(r.transferSyntaxUID),
    rows: pm.rows,
    columns: pm.columns,
    frames: pm.frames,
    frame,
    bitsAllocated: pm.bitsAllocated,
    bitsStored: pm.bitsStored,
    highBit: pm.highBit,
    pixelRepresentation: pm.pixelRepresentation,
    photometricInterpretation: pm.photometric,
    samplesPerPixel: pm.samplesPerPixel,
    rescaleSlope: r.rescaleSlope,
    rescaleIntercept: r.rescaleIntercept,
    units: r.image.units,
    window: r.image.windows[0] ?? { center: 127.5, width: 256 },
    windows: r.image.windows,
    voiLutFunction: r.image.voiLutFunction,
    pixels: { ...storedStats(r.image.stored), sha256: storedSha256(r.image.stored) }
  }
  if (pm.samplesPerPixel > 1) out.planarConfiguration = pm.planarConfiguration
  return out
}

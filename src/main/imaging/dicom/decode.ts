import { AppError } from '../../../shared/errors'
import type { DecodedImage, StoredArray } from '../types'
import { deriveFloatWindow, deriveWindow } from '../voi'
import { toRgb, upsample422 } from './color'
import { decodeStoredFrame } from './decode-frame'
import { decodeFloatDicom, floatPixelData } from './float-pixels'
import { checkPerFrameItems } from './frame-geometry'
import { applyModalityLut, readModalityLut, type ModalityLut } from './modality-lut'
import { paletteToRgb } from './palette'
import type { ParsedDicom } from './parse'
import { readFrameAttributes, readPixelModule, type PixelModule } from './pixel-module'
import { requireTransferSyntax } from './transfer-syntax'
import { number, text } from './values'
import { readVoiLuts } from './voi-lut'
import type { ViewerVoiLut } from '../../../shared/contract/imaging'

/** A decoded DICOM frame plus the module values the CLI summary prints. */
export interface DicomFrameResult {
  image: DecodedImage
  pixelModule: PixelModule
  transferSyntaxUID: string
  rescaleSlope: number
  rescaleIntercept: number
}

function modalityValues(stored: StoredArray, slope: number, intercept: number): Float32Array {
  const n = stored.length
  const out = new Float32Array(n)
  if (slope === 1 && intercept === 0) out.set(stored)
  else for (let i = 0; i < n; i++) out[i] = stored[i] * slope + intercept
  return out
}

/**
 * Decodes frame `frame` (0-based) of a parsed DICOM file into display-ready values.
 * @throws AppError INVALID_ARGUMENT for a frame out of range; UNSUPPORTED / CORRUPT from the pixel path.
 */
export async function decodeParsedDicom(parsed: ParsedDicom, frame = 0): Promise<DicomFrameResult> {
  const where = parsed.path
  const ts = requireTransferSyntax(parsed.transferSyntaxUID, where)
  const ds = parsed.dataSet
  const float = floatPixelData(ds)
  if (float) {
    checkPerFrameItems(ds, Math.max(1, Math.round(number(ds, 0x00280008) ?? 1)), where)
    return decodeFloatDicom(parsed, ts, float, frame)
  }
  const pm = readPixelModule(ds, where)
  if (!Number.isInteger(frame) || frame < 0 || frame >= pm.frames) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${where}: frame ${frame} does not exist (file has ${pm.frames}, counted from 0)`
    )
  }
  checkPerFrameItems(ds, pm.frames, where)
  const attrs = readFrameAttributes(ds, frame)
  const { stored, photometric } = await decodeStoredFrame(parsed, ts, pm, frame)
  const modalityName = text(ds, 0x00080060) ?? ''
  const signed = pm.pixelRepresentation === 1

  let modality: Float32Array
  let samplesPerPixel: 1 | 3
  // A Modality LUT Sequence (0028,3000) replaces Rescale Slope/Intercept (PS3.3 C.11.1).
  let modalityLut: ModalityLut | undefined
  let voiLuts: ViewerVoiLut[] = []
  if (photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2') {
    if (pm.samplesPerPixel !== 1) {
      throw new AppError('CORRUPT', `${where}: ${photometric} with Samples per Pixel ${pm.samplesPerPixel}`)
    }
    modalityLut = readModalityLut(ds, signed, ts.bigEndian, where)
    modality = modalityLut
      ? applyModalityLut(stored, modalityLut)
      : modalityValues(stored, attrs.rescaleSlope, attrs.rescaleIntercept)
    samplesPerPixel = 1
    // The VOI LUT maps modality values, which are negative-capable when the pixels are signed or rescaled below 0.
    const negative = signed || attrs.rescaleIntercept < 0 || (modalityLut?.firstMapped ?? 0) < 0
    voiLuts = readVoiLuts(ds, frame, negative, ts.bigEndian, where)
  } else if (photometric === 'PALETTE COLOR') {
    modality = paletteToRgb(ds, stored, signed, ts.bigEndian, where)
    samplesPerPixel = 3
  } else {
    if (pm.samplesPerPixel !== 3) {
      throw new AppError('CORRUPT', `${where}: ${photometric} with Samples per Pixel ${pm.samplesPerPixel}`)
    }
    const native = ts.codec === 'native' || ts.codec === 'encapsulated-native'
    const full = photometric === 'YBR_FULL_422' && native ? upsample422(stored, pm.rows, pm.columns) : stored
    modality = toRgb(full, photometric, pm.bitsStored, where)
    samplesPerPixel = 3
  }

  const windows =
    samplesPerPixel === 1 && attrs.windows.length === 0
      ? [
          modalityLut
            ? deriveFloatWindow(modality, 1, 0)
            : deriveWindow(stored, attrs.rescaleSlope, attrs.rescaleIntercept)
        ]
      : attrs.windows
  const units =
    samplesPerPixel === 3
      ? ''
      : modalityLut
        ? (modalityLut.type ?? '')
        : modalityName === 'CT' && attrs.hasRescale
          ? 'HU'
          : (attrs.rescaleType ?? '')
  const image: DecodedImage = {
    kind: 'dicom',
    width: pm.columns,
    height: pm.rows,
    frames: pm.frames,
    frame,
    samplesPerPixel,
    photometric: pm.photometric,
    modality,
    stored,
    windows,
    voiLutFunction: attrs.voiLutFunction,
    invert: pm.photometric === 'MONOCHROME1',
    units
  }
  if (attrs.pixelSpacing) image.pixelSpacing = attrs.pixelSpacing
  if (attrs.pixelAspectRatio) image.pixelAspectRatio = attrs.pixelAspectRatio
  if (voiLuts.length) image.voiLuts = voiLuts
  return {
    image,
    pixelModule: pm,
    transferSyntaxUID: parsed.transferSyntaxUID,
    rescaleSlope: modalityLut ? 1 : attrs.rescaleSlope,
    rescaleIntercept: modalityLut ? 0 : attrs.rescaleIntercept
  }
}

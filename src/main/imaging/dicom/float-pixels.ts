import type { DataSet, Element } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { DecodedImage } from '../types'
import { deriveFloatWindow } from '../voi'
import type { DicomFrameResult } from './decode'
import type { ParsedDicom } from './parse'
import { MAX_FRAME_SAMPLES, readFrameAttributes, type PixelModule } from './pixel-module'
import type { TransferSyntaxInfo } from './transfer-syntax'
import { key, number, text, ushort } from './values'

/** Float Pixel Data (7FE0,0008), OF: 32-bit IEEE floats. */
const FLOAT_PIXEL_DATA = 0x7fe00008
/** Double Float Pixel Data (7FE0,0009), OD: 64-bit IEEE floats. */
const DOUBLE_FLOAT_PIXEL_DATA = 0x7fe00009

/** The float pixel data element and its sample width, when the file has one instead of Pixel Data (7FE0,0010). */
export function floatPixelData(ds: DataSet): { el: Element; bits: 32 | 64 } | undefined {
  if (ds.elements[key(0x7fe00010)]) return undefined
  const f = ds.elements[key(FLOAT_PIXEL_DATA)]
  if (f) return { el: f, bits: 32 }
  const d = ds.elements[key(DOUBLE_FLOAT_PIXEL_DATA)]
  return d ? { el: d, bits: 64 } : undefined
}

function floatPixelModule(ds: DataSet, bits: 32 | 64, where: string): PixelModule {
  const rows = ushort(ds, 0x00280010) ?? 0
  const columns = ushort(ds, 0x00280011) ?? 0
  if (!rows || !columns)
    throw new AppError('CORRUPT', `${where}: Rows (0028,0010) / Columns (0028,0011) missing or zero`)
  if (rows * columns > MAX_FRAME_SAMPLES) {
    throw new AppError(
      'UNSUPPORTED',
      `${where}: ${rows}×${columns} samples per frame exceeds the ${MAX_FRAME_SAMPLES / 2 ** 20}M-sample limit`
    )
  }
  const samplesPerPixel = ushort(ds, 0x00280002) ?? 1
  if (samplesPerPixel !== 1) {
    throw new AppError(
      'UNSUPPORTED',
      `${where}: float pixel data with Samples per Pixel (0028,0002) ${samplesPerPixel}; only 1 is supported`
    )
  }
  const allocated = ushort(ds, 0x00280100) ?? bits
  if (allocated !== bits) {
    throw new AppError(
      'CORRUPT',
      `${where}: Bits Allocated (0028,0100) ${allocated} contradicts ${bits === 32 ? 'Float Pixel Data (7FE0,0008)' : 'Double Float Pixel Data (7FE0,0009)'}`
    )
  }
  return {
    rows,
    columns,
    samplesPerPixel: 1,
    photometric: (text(ds, 0x00280004) ?? 'MONOCHROME2').toUpperCase(),
    planarConfiguration: 0,
    bitsAllocated: bits,
    bitsStored: bits,
    highBit: bits - 1,
    pixelRepresentation: 0,
    frames: Math.max(1, Math.round(number(ds, 0x00280008) ?? 1))
  }
}

/**
 * Decodes frame `frame` of a file carrying Float (7FE0,0008) or Double Float (7FE0,0009) Pixel Data, e.g. a
 * Parametric Map: the floats are the stored values; rescale and windows come from the file (functional groups
 * included) or, without a window, the 1–99 % band of the finite values.
 * @throws AppError UNSUPPORTED (compressed transfer syntax, colour), CORRUPT (truncated, contradicting header).
 */
export function decodeFloatDicom(
  parsed: ParsedDicom,
  ts: TransferSyntaxInfo,
  float: { el: Element; bits: 32 | 64 },
  frame: number
): DicomFrameResult {
  const where = parsed.path
  const ds = parsed.dataSet
  if (ts.codec !== 'native') {
    throw new AppError('UNSUPPORTED', `${where}: float pixel data in the compressed transfer syntax ${ts.name}`)
  }
  const pm = floatPixelModule(ds, float.bits, where)
  if (!Number.isInteger(frame) || frame < 0 || frame >= pm.frames) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${where}: frame ${frame} does not exist (file has ${pm.frames}, counted from 0)`
    )
  }
  const width = float.bits / 8
  const length = pm.rows * pm.columns * width
  const start = frame * length
  const available = Math.min(float.el.length, ds.byteArray.length - float.el.dataOffset)
  if (start + length > available) {
    throw new AppError(
      'CORRUPT',
      `${where} frame ${frame}: float pixel data holds ${available} bytes, the frame needs bytes ${start}–${start + length} (truncated?)`
    )
  }
  // Copied so the values are aligned and never alias the file buffer; big endian swapped word by word.
  const bytes = new Uint8Array(length)
  bytes.set(ds.byteArray.subarray(float.el.dataOffset + start, float.el.dataOffset + start + length))
  if (ts.bigEndian) for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse()
  const stored = float.bits === 32 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer)
  const attrs = readFrameAttributes(ds, frame)
  const modality = new Float32Array(stored.length)
  for (let i = 0; i < stored.length; i++) modality[i] = stored[i] * attrs.rescaleSlope + attrs.rescaleIntercept
  const image: DecodedImage = {
    kind: 'dicom',
    width: pm.columns,
    height: pm.rows,
    frames: pm.frames,
    frame,
    samplesPerPixel: 1,
    photometric: pm.photometric,
    modality,
    stored,
    windows: attrs.windows.length
      ? attrs.windows
      : [deriveFloatWindow(stored, attrs.rescaleSlope, attrs.rescaleIntercept)],
    voiLutFunction: attrs.voiLutFunction,
    invert: pm.photometric === 'MONOCHROME1',
    units: attrs.rescaleType ?? ''
  }
  if (attrs.pixelSpacing) image.pixelSpacing = attrs.pixelSpacing
  return {
    image,
    pixelModule: pm,
    transferSyntaxUID: parsed.transferSyntaxUID,
    rescaleSlope: attrs.rescaleSlope,
    rescaleIntercept: attrs.rescaleIntercept
  }
}

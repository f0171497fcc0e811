import type { DataSet } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { VoiLutFunction, VoiWindow } from '../types'
import { item, firstItem, number, numbers, strings, text, ushort } from './values'

/** The Image Pixel module (PS3.3 C.7.6.3) attributes that decide how bytes become samples. */
export interface PixelModule {
  /** (0028,0010) */
  rows: number
  /** (0028,0011) */
  columns: number
  /** (0028,0002): 1 or 3. */
  samplesPerPixel: number
  /** (0028,0004), upper-case. */
  photometric: string
  /** (0028,0006): 0 interleaved, 1 planar. */
  planarConfiguration: number
  /** (0028,0100): 8, 16 or 32. */
  bitsAllocated: number
  /** (0028,0101) */
  bitsStored: number
  /** (0028,0102) */
  highBit: number
  /** (0028,0103): 0 unsigned, 1 two's complement. */
  pixelRepresentation: number
  /** (0028,0008), 1 when absent. */
  frames: number
}

/** Per-frame display attributes, looked up top level first, then in the per-frame and shared functional groups. */
export interface FrameAttributes {
  /** (0028,1053), 1 when absent. */
  rescaleSlope: number
  /** (0028,1052), 0 when absent. */
  rescaleIntercept: number
  /** True when the file carries a rescale (so units apply). */
  hasRescale: boolean
  /** (0028,1054) */
  rescaleType?: string
  windows: VoiWindow[]
  voiLutFunction: VoiLutFunction
  /** (0028,0030) row, column spacing in mm. */
  pixelSpacing?: [number, number]
  /** (0028,0034) Pixel Aspect Ratio: vertical then horizontal size of a pixel (used when there is no spacing). */
  pixelAspectRatio?: [number, number]
}

const PER_FRAME = 0x52009230
const SHARED = 0x52009229
const PIXEL_VALUE_TRANSFORMATION = 0x00289145
const FRAME_VOI_LUT = 0x00289132
const PIXEL_MEASURES = 0x00289110

/**
 * Reads an attribute from the top level, else from the frame's Per-frame Functional Groups (5200,9230) item,
 * else from the Shared Functional Groups (5200,9229), inside the named functional-group macro sequence.
 */
export function fromFunctionalGroups<T>(
  ds: DataSet,
  frame: number,
  macro: number,
  read: (d: DataSet) => T | undefined
): T | undefined {
  const top = read(ds)
  if (top !== undefined) return top
  const perFrame = item(ds, PER_FRAME, frame)
  const inFrame = perFrame && firstItem(perFrame, macro)
  const fromFrame = inFrame && read(inFrame)
  if (fromFrame !== undefined) return fromFrame
  const shared = firstItem(ds, SHARED)
  const inShared = shared && firstItem(shared, macro)
  return inShared ? read(inShared) : undefined
}

/**
 * Reads and validates the Image Pixel module.
 * @throws AppError CORRUPT for missing or contradictory values, UNSUPPORTED for bit depths we do not decode.
 */
/**
 * Largest frame the decoders accept, in samples (rows × columns × samples per pixel): 2^25, e.g. 5792² grey or
 * 4096 × 2730 RGB; above any MR/CT/CR/mammography frame. Bounds the memory one frame can claim (~128 MiB as
 * Float32 modality values plus the stored array).
 */
export const MAX_FRAME_SAMPLES = 2 ** 25

export function readPixelModule(ds: DataSet, where: string): PixelModule {
  const rows = ushort(ds, 0x00280010) ?? 0
  const columns = ushort(ds, 0x00280011) ?? 0
  if (!rows || !columns) {
    throw new AppError('CORRUPT', `${where}: Rows (0028,0010) / Columns (0028,0011) missing or zero`)
  }
  const samplesPerPixel = ushort(ds, 0x00280002) ?? 1
  if (rows * columns * samplesPerPixel > MAX_FRAME_SAMPLES) {
    // A corrupt or hostile header must not make the decoder allocate gigabytes before the pixel data is read.
    throw new AppError(
      'UNSUPPORTED',
      `${where}: ${rows}×${columns}×${samplesPerPixel} samples per frame exceeds the ${MAX_FRAME_SAMPLES / 2 ** 20}M-sample limit`
    )
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new AppError(
      'UNSUPPORTED',
      `${where}: Samples per Pixel (0028,0002) = ${samplesPerPixel}; only 1 and 3 are supported`
    )
  }
  const bitsAllocated = ushort(ds, 0x00280100) ?? 0
  if (bitsAllocated !== 1 && bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new AppError(
      'UNSUPPORTED',
      `${where}: Bits Allocated (0028,0100) = ${bitsAllocated || 'missing'}; only 1, 8, 16 and 32 are supported`
    )
  }
  if (bitsAllocated === 1 && samplesPerPixel !== 1) {
    throw new AppError('CORRUPT', `${where}: Bits Allocated (0028,0100) 1 with Samples per Pixel ${samplesPerPixel}`)
  }
  const bitsStored = ushort(ds, 0x00280101) ?? bitsAllocated
  const highBit = ushort(ds, 0x00280102) ?? bitsStored - 1
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit >= bitsAllocated || highBit + 1 < bitsStored) {
    throw new AppError(
      'CORRUPT',
      `${where}: Bits Stored ${bitsStored} / High Bit ${highBit} do not fit Bits Allocated ${bitsAllocated}`
    )
  }
  const photometric = (text(ds, 0x00280004) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase()
  const frames = Math.max(1, Math.round(number(ds, 0x00280008) ?? 1))
  return {
    rows,
    columns,
    samplesPerPixel,
    photometric,
    planarConfiguration: samplesPerPixel > 1 ? (ushort(ds, 0x00280006) ?? 0) : 0,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: ushort(ds, 0x00280103) ?? 0,
    frames
  }
}

function readWindows(d: DataSet): VoiWindow[] | undefined {
  const centers = numbers(d, 0x00281050)
  const widths = numbers(d, 0x00281051)
  if (!centers.length || !widths.length) return undefined
  const explanations = strings(d, 0x00281055)
  const out: VoiWindow[] = []
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (!(widths[i] > 0)) continue
    const w: VoiWindow = { center: centers[i], width: widths[i] }
    if (explanations[i]) w.explanation = explanations[i]
    out.push(w)
  }
  return out.length ? out : undefined
}

function readLutFunction(d: DataSet): VoiLutFunction | undefined {
  const f = text(d, 0x00281056)?.toUpperCase()
  return f === 'SIGMOID' || f === 'LINEAR_EXACT' || f === 'LINEAR' ? f : undefined
}

/** Rescale, VOI and spacing for one frame (0-based), honouring enhanced multi-frame functional groups. */
export function readFrameAttributes(ds: DataSet, frame: number): FrameAttributes {
  const slope = fromFunctionalGroups(ds, frame, PIXEL_VALUE_TRANSFORMATION, (d) => number(d, 0x00281053))
  const intercept = fromFunctionalGroups(ds, frame, PIXEL_VALUE_TRANSFORMATION, (d) => number(d, 0x00281052))
  const rescaleType = fromFunctionalGroups(ds, frame, PIXEL_VALUE_TRANSFORMATION, (d) => text(d, 0x00281054))
  const spacing = fromFunctionalGroups(ds, frame, PIXEL_MEASURES, (d) => {
    const s = numbers(d, 0x00280030)
    return s.length >= 2 ? ([s[0], s[1]] as [number, number]) : undefined
  })
  return {
    rescaleSlope: slope !== undefined && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept ?? 0,
    hasRescale: slope !== undefined || intercept !== undefined,
    rescaleType,
    windows: fromFunctionalGroups(ds, frame, FRAME_VOI_LUT, readWindows) ?? [],
    voiLutFunction: fromFunctionalGroups(ds, frame, FRAME_VOI_LUT, readLutFunction) ?? 'LINEAR',
    pixelSpacing: spacing,
    pixelAspectRatio: readAspectRatio(ds)
  }
}

/** Pixel Aspect Ratio (0028,0034) as [vertical, horizontal], when both are positive numbers. */
function readAspectRatio(ds: DataSet): [number, number] | undefined {
  const r = numbers(ds, 0x00280034)
  return r.length >= 2 && r[0] > 0 && r[1] > 0 ? [r[0], r[1]] : undefined
}

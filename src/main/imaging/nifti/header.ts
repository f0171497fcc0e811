import { NIFTI2, isNIFTI1, isNIFTI2, readHeader, type NIFTI1 } from 'nifti-reader-js'
import { AppError } from '../../../shared/errors'
import { qformAffine, type Affine } from './orientation'

/** Voxel data types we read; NIfTI datatype codes per nifti1.h. */
export type NiftiDataType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'rgb24'

const DATATYPES: Record<number, { type: NiftiDataType; bytes: number }> = {
  2: { type: 'uint8', bytes: 1 },
  4: { type: 'int16', bytes: 2 },
  8: { type: 'int32', bytes: 4 },
  16: { type: 'float32', bytes: 4 },
  64: { type: 'float64', bytes: 8 },
  128: { type: 'rgb24', bytes: 3 },
  256: { type: 'int8', bytes: 1 },
  512: { type: 'uint16', bytes: 2 },
  768: { type: 'uint32', bytes: 4 }
}

/**
 * Most voxels of the one 3-D volume we read (2^27 = 512³): the raw bytes stay in memory at their own width
 * and slices are scaled on demand, so this bounds memory at 1 GiB of float64 in the worst case.
 */
export const MAX_VOLUME_VOXELS = 2 ** 27

/** Most bytes a whole image (all time points) may declare; larger files are refused before decompression. */
export const MAX_IMAGE_BYTES = 2 ** 31

/** What the reader needs from a NIfTI-1 or NIfTI-2 header, checked. */
export interface NiftiHeader {
  version: 1 | 2
  /** Voxels along i, j, k (dim[1..3]); a 2-D image has nz = 1. */
  dims: [number, number, number]
  /** Time points / further dimensions multiplied (dim[4..7]); only the first 3-D volume is read. */
  volumes: number
  dataType: NiftiDataType
  /** NIfTI datatype code (header field `datatype`). */
  datatypeCode: number
  bytesPerVoxel: number
  /** Byte offset of the voxel data (`vox_offset`); 0 for a .hdr/.img pair means the start of the .img. */
  voxOffset: number
  littleEndian: boolean
  /** `scl_slope`/`scl_inter`; slope 1, intercept 0 when the header's slope is 0 or not finite (per nifti1.h). */
  slope: number
  intercept: number
  /** Voxel size along i, j, k in millimetres (`pixdim[1..3]`, converted from `xyzt_units`). */
  voxelSizeMm: [number, number, number]
  /** Voxel (i, j, k) → world (x, y, z) mm, RAS+, rows of a 4×4 matrix. */
  affine: Affine
  /** Which header transform gave `affine`: sform (sform_code > 0), else qform (qform_code > 0), else pixdim only. */
  affineSource: 'sform' | 'qform' | 'pixdim'
  /** `cal_min`/`cal_max` when they describe a display range (max > min). */
  calRange?: [number, number]
  /** `descrip` */
  description: string
}

function corrupt(file: string, field: string, why: string): AppError {
  return new AppError('CORRUPT', `${file}: NIfTI header field ${field} ${why}`)
}

/** True when the bytes start with a NIfTI-1 or NIfTI-2 header (single file or .hdr of a pair). */
export function looksLikeNifti(bytes: Uint8Array): boolean {
  if (bytes.length < 348) return false
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + Math.min(bytes.length, 540)) as ArrayBuffer
  return isNIFTI1(ab, true) || isNIFTI2(ab, true)
}

/** The sform rows (srow_x/y/z) straight from the header bytes: the library only exposes them when it prefers them. */
function sformRows(view: DataView, version: 1 | 2, le: boolean): Affine {
  const at = version === 1 ? 280 : 400
  const width = version === 1 ? 4 : 8
  const rows: number[][] = []
  for (let r = 0; r < 3; r++) {
    const row: number[] = []
    for (let c = 0; c < 4; c++) {
      const p = at + (r * 4 + c) * width
      row.push(version === 1 ? view.getFloat32(p, le) : view.getFloat64(p, le))
    }
    rows.push(row)
  }
  rows.push([0, 0, 0, 1])
  return rows as Affine
}

/** Factor from the header's spatial unit (`xyzt_units` & 7) to millimetres; unknown is taken as mm. */
function unitToMm(xyztUnits: number): number {
  const unit = xyztUnits & 7
  return unit === 1 ? 1000 : unit === 3 ? 0.001 : 1
}

/**
 * Parses and checks a NIfTI header with nifti-reader-js. `bytes` holds at least the header (540 bytes for
 * NIfTI-2), already decompressed. Every refusal names the file and the header field.
 * @param dataBytes bytes available for voxel data after `vox_offset` (whole file, or the .img); undefined skips that check.
 * @throws AppError CORRUPT (bad field), UNSUPPORTED (data type, size beyond the limits).
 */
export function parseNiftiHeader(bytes: Uint8Array, file: string, pair = false): NiftiHeader {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer
  let h: NIFTI1 | NIFTI2
  try {
    if (!(isNIFTI1(ab, pair) || isNIFTI2(ab, pair))) {
      throw new AppError('UNSUPPORTED', `${file}: not a NIfTI file (no "n+1"/"ni1"/"n+2" magic at byte 344 or 4)`)
    }
    h = readHeader(ab, pair)
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('CORRUPT', `${file}: NIfTI header does not parse (${(err as Error).message})`)
  }
  const version = h instanceof NIFTI2 ? 2 : 1
  const view = new DataView(ab)
  const le = h.littleEndian
  const rank = h.dims[0]
  if (!(rank >= 1 && rank <= 7)) throw corrupt(file, 'dim[0]', `is ${rank}, not 1..7`)
  const dim = (k: number) => (k <= rank ? h.dims[k] : 1)
  for (let k = 1; k <= rank; k++) {
    const d = h.dims[k]
    if (!Number.isSafeInteger(d) || d < 1) throw corrupt(file, `dim[${k}]`, `is ${d}, not a positive voxel count`)
  }
  const dims: [number, number, number] = [dim(1), dim(2), dim(3)]
  let volumes = 1
  for (let k = 4; k <= rank; k++) volumes *= dim(k)
  const voxels = dims[0] * dims[1] * dims[2]
  if (voxels > MAX_VOLUME_VOXELS) {
    throw new AppError(
      'UNSUPPORTED',
      `${file}: NIfTI header field dim declares ${dims.join('×')} = ${voxels} voxels, above the limit of ${MAX_VOLUME_VOXELS}`
    )
  }
  const kind = DATATYPES[h.datatypeCode]
  if (!kind) {
    throw new AppError(
      'UNSUPPORTED',
      `${file}: NIfTI header field datatype is ${h.datatypeCode} (${h.getDatatypeCodeString(h.datatypeCode)}); supported: uint8, int8, int16, uint16, int32, uint32, float32, float64, RGB24`
    )
  }
  if (h.numBitsPerVoxel !== kind.bytes * 8) {
    throw corrupt(file, 'bitpix', `is ${h.numBitsPerVoxel}, but datatype ${kind.type} has ${kind.bytes * 8} bits`)
  }
  if (voxels * volumes * kind.bytes > MAX_IMAGE_BYTES) {
    throw new AppError(
      'UNSUPPORTED',
      `${file}: NIfTI header field dim declares ${[...dims, volumes].join('×')} ${kind.type} voxels (${voxels * volumes * kind.bytes} bytes), above the limit of ${MAX_IMAGE_BYTES} bytes`
    )
  }
  const headerSize = version === 1 ? 348 : 540
  const voxOffset = h.vox_offset
  if (!Number.isSafeInteger(voxOffset) || voxOffset < 0 || (!pair && voxOffset < headerSize)) {
    throw corrupt(
      file,
      'vox_offset',
      `is ${voxOffset}, not an integer byte offset at or after the ${headerSize}-byte header`
    )
  }
  const mm = unitToMm(h.xyzt_units)
  const voxelSizeMm = [1, 2, 3].map((k) => {
    const v = Math.abs(h.pixDims[k])
    return Number.isFinite(v) && v > 0 ? v * mm : 1
  }) as [number, number, number]
  let affine: Affine
  let affineSource: NiftiHeader['affineSource']
  if (h.sform_code > 0) {
    affine = sformRows(view, version, le)
    affineSource = 'sform'
  } else if (h.qform_code > 0) {
    const qfac = h.pixDims[0] < 0 ? -1 : 1
    affine = qformAffine(
      [h.quatern_b, h.quatern_c, h.quatern_d],
      [h.qoffset_x, h.qoffset_y, h.qoffset_z],
      voxelSizeMm,
      qfac
    )
    affineSource = 'qform'
  } else {
    // nifti1.h method 1: no transform, only voxel sizes. Like nibabel (and Analyze 7.5, radiological storage),
    // i is taken to run toward the patient's left, so such a file reports "LAS".
    affine = [
      [-voxelSizeMm[0], 0, 0, 0],
      [0, voxelSizeMm[1], 0, 0],
      [0, 0, voxelSizeMm[2], 0],
      [0, 0, 0, 1]
    ]
    affineSource = 'pixdim'
  }
  if (affine.some((row) => row.some((v) => !Number.isFinite(v)))) {
    throw corrupt(file, affineSource === 'sform' ? 'srow_x/y/z' : 'quatern_b/c/d', 'holds a value that is not finite')
  }
  const rawSlope = h.scl_slope
  const scaled = Number.isFinite(rawSlope) && rawSlope !== 0 && kind.type !== 'rgb24'
  const intercept = scaled && Number.isFinite(h.scl_inter) ? h.scl_inter : 0
  const calRange: [number, number] | undefined =
    Number.isFinite(h.cal_min) && Number.isFinite(h.cal_max) && h.cal_max > h.cal_min
      ? [h.cal_min, h.cal_max]
      : undefined
  return {
    version,
    dims,
    volumes,
    dataType: kind.type,
    datatypeCode: h.datatypeCode,
    bytesPerVoxel: kind.bytes,
    voxOffset,
    littleEndian: le,
    slope: scaled ? rawSlope : 1,
    intercept,
    voxelSizeMm,
    affine,
    affineSource,
    calRange,
    description: h.description ?? ''
  }
}

import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { parseNiftiHeader, type NiftiHeader } from './header'
import { axisCode } from './orientation'
import { inflatePrefix, isGzip, readPrefix } from './read-bytes'
import { volumeWindows } from './volume-stats'
import type { NiftiVolume, VoxelArray } from './types'

/** File names the NIfTI reader accepts (matched case-insensitively). */
const NIFTI_NAME = /\.(nii|nii\.gz|hdr|hdr\.gz|img|img\.gz)$/i

/** True when the name says NIfTI: `.nii`, `.nii.gz`, or one half of an Analyze-style `.hdr`/`.img` pair. */
export function isNiftiName(file: string): boolean {
  return NIFTI_NAME.test(file)
}

/** Bytes of the header a parser needs: 348 for NIfTI-1, 540 for NIfTI-2 (sizeof_hdr, either byte order). */
function headerLength(bytes: Buffer): number | undefined {
  if (bytes.length < 4) return undefined
  const le = bytes.readInt32LE(0)
  const be = bytes.readInt32BE(0)
  if (le === 540 || be === 540) return 540
  return 348
}

/** The other half of a .hdr/.img pair, gzipped or not, whichever exists. */
async function partner(file: string, ext: '.hdr' | '.img'): Promise<string> {
  const stem = file.replace(/\.(hdr|img)(\.gz)?$/i, '')
  const candidates = [stem + ext, stem + ext.toUpperCase(), stem + ext + '.gz']
  for (const c of candidates) {
    try {
      await fs.access(c)
      return c
    } catch {
      // try the next spelling
    }
  }
  throw new AppError(
    'NOT_FOUND',
    `${file}: the ${ext} file of this .hdr/.img pair is missing (looked for ${path.basename(stem)}${ext})`
  )
}

/**
 * Reads header and voxel bytes. For a gzip file only the header and the first 3-D volume are inflated.
 * Errors name the file and, where it is the header's fault, the field.
 */
async function readParts(
  file: string,
  headerOnly = false
): Promise<{ header: NiftiHeader; data: Buffer; dataFile: string; offset: number }> {
  const pair = /\.(hdr|img)(\.gz)?$/i.test(file)
  const hdrFile = pair ? await partner(file, '.hdr') : file
  const dataFile = pair ? await partner(file, '.img') : file
  let header: NiftiHeader | undefined
  const needFor = (prefix: Buffer): number | undefined => {
    const len = headerLength(prefix)
    if (len === undefined || prefix.length < len) return undefined
    header ??= parseNiftiHeader(prefix.subarray(0, len), hdrFile, pair)
    if (pair || headerOnly) return len
    const [nx, ny, nz] = header.dims
    return header.voxOffset + nx * ny * nz * header.bytesPerVoxel
  }
  // Plain files are read only as far as the header says; gzip files whole (they are compressed, and
  // inflation itself stops at the first 3-D volume).
  const { bytes: raw } = await readPrefix(hdrFile, 540, (head, size) =>
    isGzip(head) ? size : (needFor(head) ?? head.length)
  )
  let bytes: Buffer
  if (isGzip(raw)) {
    const res = await inflatePrefix(raw, needFor)
    if (!header) {
      const why = res.streamError
        ? `gzip stream is damaged (${res.streamError})`
        : `holds only ${res.bytes.length} bytes`
      throw new AppError('CORRUPT', `${hdrFile}: truncated before the end of the NIfTI header: ${why}`)
    }
    if (res.streamError && !pair) {
      const want = needFor(res.bytes)!
      throw new AppError(
        'CORRUPT',
        `${hdrFile}: truncated .gz: the gzip stream breaks off after ${res.bytes.length} of the ${want} bytes that vox_offset (${header.voxOffset}) and dim (${header.dims.join('×')}, ${header.dataType}) declare (${res.streamError})`
      )
    }
    bytes = res.bytes
  } else {
    bytes = raw
    if (!header) throw new AppError('CORRUPT', `${hdrFile}: holds only ${raw.length} bytes, less than a NIfTI header`)
  }
  if (!header) throw new AppError('CORRUPT', `${hdrFile}: no NIfTI header`)
  if (!pair || headerOnly) return { header, data: bytes, dataFile, offset: header.voxOffset }
  const [nx, ny, nz] = header.dims
  const want = header.voxOffset + nx * ny * nz * header.bytesPerVoxel
  const { bytes: img } = await readPrefix(dataFile, 2, (head, size) => (isGzip(head) ? size : want))
  if (!isGzip(img)) return { header, data: img, dataFile, offset: header.voxOffset }
  const res = await inflatePrefix(img, () => want)
  if (res.streamError) {
    throw new AppError(
      'CORRUPT',
      `${dataFile}: truncated .gz: the gzip stream breaks off after ${res.bytes.length} of ${want} bytes (${res.streamError})`
    )
  }
  return { header, data: res.bytes, dataFile, offset: header.voxOffset }
}

/** Copies the voxel bytes into an aligned typed array of the data type, swapping big-endian data. */
function toVoxels(h: NiftiHeader, bytes: Buffer, at: number): VoxelArray {
  const [nx, ny, nz] = h.dims
  const count = nx * ny * nz
  const len = count * h.bytesPerVoxel
  const copy = new Uint8Array(len)
  copy.set(bytes.subarray(at, at + len))
  if (!h.littleEndian && h.bytesPerVoxel > 1 && h.dataType !== 'rgb24') {
    const w = h.bytesPerVoxel
    for (let p = 0; p < len; p += w) copy.subarray(p, p + w).reverse()
  }
  const b = copy.buffer
  switch (h.dataType) {
    case 'uint8':
    case 'rgb24':
      return copy
    case 'int8':
      return new Int8Array(b)
    case 'int16':
      return new Int16Array(b)
    case 'uint16':
      return new Uint16Array(b)
    case 'int32':
      return new Int32Array(b)
    case 'uint32':
      return new Uint32Array(b)
    case 'float32':
      return new Float32Array(b)
    case 'float64':
      return new Float64Array(b)
  }
}

/**
 * Reads only the header (a gzip file is inflated as far as the header): for listing a volume without its voxels.
 * @throws AppError NOT_FOUND, IO, CORRUPT, UNSUPPORTED as `loadNiftiVolume` does for the header.
 */
export async function loadNiftiHeader(file: string): Promise<NiftiHeader> {
  return (await readParts(file, true)).header
}

/**
 * Opens a NIfTI-1/-2 volume (`.nii`, `.nii.gz`, `.hdr`/`.img` pair, either half named) and reads its first
 * 3-D volume. Memory is bounded: sizes above `MAX_VOLUME_VOXELS` are refused from the header, before any
 * voxel byte is inflated.
 * @throws AppError NOT_FOUND, IO, CORRUPT (truncated data, bad header field, named), UNSUPPORTED (data type, size).
 */
export async function loadNiftiVolume(file: string): Promise<NiftiVolume> {
  const { header, data, dataFile, offset } = await readParts(file)
  const [nx, ny, nz] = header.dims
  const need = nx * ny * nz * header.bytesPerVoxel
  if (offset + need > data.length) {
    // With the dims fitting what follows the header, the offset is the field that is wrong.
    const field = data.length - (header.version === 1 ? 348 : 540) >= need ? 'vox_offset' : 'dim'
    throw new AppError(
      'CORRUPT',
      `${dataFile}: NIfTI header field ${field} does not fit the data: vox_offset ${header.voxOffset} + ${need} voxel bytes (${header.dims.join('×')} ${header.dataType}) > ${data.length} bytes${isGzip(data) ? '' : ' in the file'}`
    )
  }
  const voxels = toVoxels(header, data, offset)
  const volume: NiftiVolume = {
    file,
    header,
    orientation: axisCode(header.affine),
    voxels,
    windows: []
  }
  volume.windows = volumeWindows(volume)
  return volume
}

import fs from 'node:fs/promises'
import { AppError } from '../../shared/errors'
import { decodeParsedDicom } from './dicom/decode'
import { parseDicomFull, readFileBytes } from './dicom/parse'
import { VolumeFrames } from './files/volume-frames'
import { isNiftiName, loadNiftiVolume, planeGeometry, volumeSlice, type VolumePlane } from './nifti'
import { decodeRaster } from './raster'
import { sniffKind } from './sniff'
import type { DecodedImage } from './types'

/** Options for `decodeImage`. */
export interface DecodeOptions {
  /** Frame to decode, 0-based (default 0). PNG/JPEG have only frame 0. */
  frame?: number
  /** NIfTI volumes only: the plane `frame` counts slices along (default axial). */
  plane?: VolumePlane
}

/**
 * Volumes kept open between calls, so decoding the slices of one volume in a row (training and
 * classification order items by volume) inflates each volume once.
 */
const openVolumes = new VolumeFrames(2)

/**
 * Decodes one frame of a DICOM, PNG or JPEG file (recognised by content) into modality values,
 * stored values and VOI windows.
 * @throws AppError NOT_FOUND, UNSUPPORTED (format, transfer syntax, pixel layout), CORRUPT, INVALID_ARGUMENT (frame).
 */
export async function decodeImage(filePath: string, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const frame = opts.frame ?? 0
  if (isNiftiName(filePath)) return (await decodeVolumeSlice(filePath, opts.plane ?? 'axial', frame)).image
  if (opts.plane)
    throw new AppError('INVALID_ARGUMENT', `${filePath}: not a NIfTI volume, so it has no ${opts.plane} plane`)
  // One read serves sniffing, parsing and decoding: opening the file twice costs more than a slice's pixels.
  const bytes = await readFileBytes(filePath)
  const kind = sniffKind(bytes)
  if (!kind) throw new AppError('UNSUPPORTED', `${filePath}: not a DICOM, PNG or JPEG file (content not recognised)`)
  if (kind === 'dicom') return (await decodeParsedDicom(parseDicomFull(bytes, filePath), frame)).image
  if (frame !== 0)
    throw new AppError('INVALID_ARGUMENT', `${filePath}: frame ${frame} does not exist (${kind} has 1, counted from 0)`)
  return decodeRaster(filePath, kind, bytes)
}

/**
 * Slice `index` (0-based, in scroll order, see `planeGeometry`) of `plane` of a NIfTI volume file, through the
 * open-volume cache; a changed file (size or modification time) is read again.
 * @throws AppError NOT_FOUND/IO naming the file, CORRUPT/UNSUPPORTED from the reader, INVALID_ARGUMENT (slice).
 */
export async function decodeVolumeSlice(filePath: string, plane: VolumePlane, index: number) {
  let st
  try {
    st = await fs.stat(filePath)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new AppError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `${filePath}: cannot open (${code ?? String(err)})`)
  }
  return openVolumes.get(filePath, `${st.size}\u0000${st.mtimeMs}`, plane, index)
}

/**
 * Decodes every frame of a file in order, reading and parsing it once: each DICOM frame, or each slice of a
 * NIfTI volume along `opts.plane` (default axial); PNG/JPEG have one. `each` may stop the walk by returning
 * false. Import uses it so a 180-frame file is not re-read 180 times.
 * @throws AppError as `decodeImage`.
 */
export async function forEachFrame(
  filePath: string,
  opts: { plane?: VolumePlane },
  each: (img: DecodedImage, frame: number, of: number) => Promise<boolean | void> | boolean | void
): Promise<void> {
  if (isNiftiName(filePath)) {
    const volume = await loadNiftiVolume(filePath)
    const plane = opts.plane ?? 'axial'
    const n = planeGeometry(volume, plane).slices
    for (let s = 0; s < n; s++) if ((await each(volumeSlice(volume, plane, s).image, s, n)) === false) return
    return
  }
  if (opts.plane)
    throw new AppError('INVALID_ARGUMENT', `${filePath}: not a NIfTI volume, so it has no ${opts.plane} plane`)
  const bytes = await readFileBytes(filePath)
  const kind = sniffKind(bytes)
  if (!kind) throw new AppError('UNSUPPORTED', `${filePath}: not a DICOM, PNG or JPEG file (content not recognised)`)
  if (kind !== 'dicom') {
    await each(await decodeRaster(filePath, kind, bytes), 0, 1)
    return
  }
  const parsed = parseDicomFull(bytes, filePath)
  const first = await decodeParsedDicom(parsed, 0)
  const n = Math.max(1, first.image.frames)
  if ((await each(first.image, 0, n)) === false) return
  for (let f = 1; f < n; f++) if ((await each((await decodeParsedDicom(parsed, f)).image, f, n)) === false) return
}

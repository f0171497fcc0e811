import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import type { ItemKind } from '../../../shared/contract/datasets'
import { readImageHeader, sniffKind, type ImageHeader } from '../../imaging'
import { isNiftiName, type VolumePlane } from '../../imaging/nifti'
import { dHash } from './dhash'
import { probeFrames } from './probe-frames'
import { renderImage } from './render-image'
import { toThumbnail, writeThumbnail } from './thumbnail-cache'
import type { FoundFile } from './walk-folder'

/**
 * What the catalog stores about one item: a single-frame file, one frame of a multi-frame DICOM file, or one
 * slice of a NIfTI volume. DICOM fields are null for PNG/JPEG and volumes.
 */
export interface ProbedImage {
  /**
   * Hex SHA-256 of the file's bytes; for a frame of a multi-frame file or a volume slice, SHA-256 of
   * "<file sha256>:<frame>" or "<file sha256>:<plane>:<slice>", so each item has its own content key
   * (thumbnail, duplicate and conflict checks) while identical files still match.
   */
  sha256: string
  kind: ItemKind
  /** 0-based DICOM frame or volume slice (along `plane`, in `planeGeometry`'s scroll order); 0 otherwise. */
  frame: number
  /** Volume slices only: the plane the volume was imported along. */
  plane: VolumePlane | null
  /** Items that must share a split: 'volume:<relPath>' or 'file:<relPath>' (multi-frame DICOM); else null. */
  groupKey: string | null
  /** Pixels: DICOM Columns (0028,0011). */
  width: number
  /** Pixels: DICOM Rows (0028,0010). */
  height: number
  /** DICOM Number of Frames (0028,0008); slices along the plane for a volume; 1 for PNG/JPEG. */
  frames: number
  /** (0008,0060) */
  modality: string | null
  /** (0010,0020) */
  patientId: string | null
  /** (0020,000D) */
  studyUid: string | null
  /** (0020,000E) */
  seriesUid: string | null
  /** (0020,0013) */
  instanceNumber: number | null
  /** 16 hex digits, see `dHash`. */
  dhash: string
}

export type ProbeOutcome =
  { status: 'ok'; images: ProbedImage[] } | { status: 'ignored'; reason: string } | { status: 'failed'; reason: string }

/** How volumes are cut into items. */
export interface VolumeImportOptions {
  /** Plane volumes are sliced along (default axial). */
  plane?: VolumePlane
  /** Leave out slices with fewer than 5 % non-background voxels (see `isNearEmpty`). Default false. */
  skipEmptySlices?: boolean
}

/** Extensions that promise an image: such a file with unrecognised content is a failure, not an ignored file. */
const IMAGE_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic', '.ima', '.png', '.jpg', '.jpeg'])

/**
 * Reads one file once: hashes it, recognises it by content, reads its header, renders each frame (DICOM) or
 * slice (NIfTI volume; frame 0 for PNG/JPEG), and writes the thumbnails to the cache. Never throws for a bad
 * file: the reason comes back as 'failed'.
 */
export async function probeFile(
  file: FoundFile,
  cacheDir: string,
  volumes: VolumeImportOptions = {}
): Promise<ProbeOutcome> {
  if (file.size === 0) return { status: 'failed', reason: 'empty file (0 bytes)' }
  if (isNiftiName(file.path) && (await isImgOfPair(file.path))) {
    return { status: 'ignored', reason: 'the .img half of a .hdr/.img pair (imported through its .hdr)' }
  }
  let bytes: Buffer
  try {
    bytes = await fs.readFile(file.path)
  } catch (err) {
    return { status: 'failed', reason: `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})` }
  }
  if (isNiftiName(file.path)) {
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    try {
      return { status: 'ok', images: await probeFrames(file, sha256, cacheDir, { kind: 'nifti', ...volumes }) }
    } catch (err) {
      return { status: 'failed', reason: reasonOf(err, file.path) }
    }
  }
  const kind = sniffKind(bytes)
  if (!kind) {
    return IMAGE_EXTENSIONS.has(path.extname(file.path).toLowerCase())
      ? { status: 'failed', reason: 'content is not DICOM, PNG or JPEG despite the extension' }
      : { status: 'ignored', reason: 'not an image' }
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  try {
    // DICOM identifiers come from the header reader; PNG/JPEG size comes from the one decode below.
    const header: ImageHeader | null = kind === 'dicom' ? await readImageHeader(file.path) : null
    if (header && header.frames > 1) {
      const ids = dicomIds(header)
      return { status: 'ok', images: await probeFrames(file, sha256, cacheDir, { kind: 'dicom', ids }) }
    }
    const rendered = await renderImage(file.path, kind, kind === 'dicom' ? undefined : bytes)
    const thumb = toThumbnail(rendered)
    await writeThumbnail(cacheDir, sha256, thumb)
    const image: ProbedImage = {
      sha256,
      kind,
      frame: 0,
      plane: null,
      groupKey: null,
      width: header?.width ?? rendered.width,
      height: header?.height ?? rendered.height,
      frames: header?.frames ?? 1,
      ...dicomIds(header),
      dhash: dHash(thumb)
    }
    return { status: 'ok', images: [image] }
  } catch (err) {
    return { status: 'failed', reason: reasonOf(err, file.path) }
  }
}

/** The DICOM identifiers an item keeps (all null without a header). */
export function dicomIds(
  header: ImageHeader | null
): Pick<ProbedImage, 'modality' | 'patientId' | 'studyUid' | 'seriesUid' | 'instanceNumber'> {
  return {
    modality: blankToNull(header?.modality),
    patientId: blankToNull(header?.patientId),
    studyUid: blankToNull(header?.studyInstanceUID),
    seriesUid: blankToNull(header?.seriesInstanceUID),
    instanceNumber: Number.isFinite(header?.instanceNumber) ? Math.round(header!.instanceNumber!) : null
  }
}

/** True for the .img half of an Analyze-style pair whose .hdr sits beside it (the pair is one volume). */
async function isImgOfPair(file: string): Promise<boolean> {
  if (!/\.img(\.gz)?$/i.test(file)) return false
  const stem = file.replace(/\.img(\.gz)?$/i, '')
  for (const hdr of [`${stem}.hdr`, `${stem}.HDR`, `${stem}.hdr.gz`]) {
    if (
      await fs.access(hdr).then(
        () => true,
        () => false
      )
    )
      return true
  }
  return false
}

function blankToNull(v: string | undefined): string | null {
  const t = v?.trim()
  return t ? t : null
}

/** An error's message without the leading "<path>: " the imaging core adds, since the report shows the path. */
function reasonOf(err: unknown, filePath: string): string {
  const msg = err instanceof Error ? err.message : String(err)
  const stripped = msg.startsWith(`${filePath}: `) ? msg.slice(filePath.length + 2) : msg
  const code = err instanceof AppError ? err.code : 'INTERNAL'
  return code === 'INTERNAL' ? `unexpected error: ${stripped}` : stripped
}

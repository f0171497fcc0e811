import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { readImageHeader, sniffKind, type ImageHeader, type ImageKind } from '../../imaging'
import { dHash } from './dhash'
import { renderImage } from './render-image'
import { toThumbnail, writeThumbnail } from './thumbnail-cache'
import type { FoundFile } from './walk-folder'

/** What the catalog stores about one image file. DICOM fields are null for PNG/JPEG. */
export interface ProbedImage {
  /** Hex SHA-256 of the file's bytes. */
  sha256: string
  kind: ImageKind
  /** Pixels: DICOM Columns (0028,0011). */
  width: number
  /** Pixels: DICOM Rows (0028,0010). */
  height: number
  /** DICOM Number of Frames (0028,0008); 1 for PNG/JPEG. */
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
  { status: 'ok'; image: ProbedImage } | { status: 'ignored'; reason: string } | { status: 'failed'; reason: string }

/** Extensions that promise an image: such a file with unrecognised content is a failure, not an ignored file. */
const IMAGE_EXTENSIONS = new Set(['.dcm', '.dicom', '.dic', '.ima', '.png', '.jpg', '.jpeg'])

/**
 * Reads one file once: hashes it, recognises it by content, reads its header, renders frame 0, and writes
 * the thumbnail to the cache. Never throws for a bad file: the reason comes back as 'failed'.
 */
export async function probeFile(file: FoundFile, cacheDir: string): Promise<ProbeOutcome> {
  if (file.size === 0) return { status: 'failed', reason: 'empty file (0 bytes)' }
  let bytes: Buffer
  try {
    bytes = await fs.readFile(file.path)
  } catch (err) {
    return { status: 'failed', reason: `cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})` }
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
    const rendered = await renderImage(file.path, kind, kind === 'dicom' ? undefined : bytes)
    const thumb = toThumbnail(rendered)
    await writeThumbnail(cacheDir, sha256, thumb)
    return {
      status: 'ok',
      image: {
        sha256,
        kind,
        width: header?.width ?? rendered.width,
        height: header?.height ?? rendered.height,
        frames: header?.frames ?? 1,
        modality: blankToNull(header?.modality),
        patientId: blankToNull(header?.patientId),
        studyUid: blankToNull(header?.studyInstanceUID),
        seriesUid: blankToNull(header?.seriesInstanceUID),
        instanceNumber: Number.isFinite(header?.instanceNumber) ? Math.round(header!.instanceNumber!) : null,
        dhash: dHash(thumb)
      }
    }
  } catch (err) {
    return { status: 'failed', reason: reasonOf(err, file.path) }
  }
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

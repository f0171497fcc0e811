import fs from 'node:fs/promises'
import path from 'node:path'
import type { ImageEntry } from '../../../shared/contract/imaging'
import { toEnvelope } from '../../../shared/errors'
import { readImageHeader, sniffFile, type ImageHeader } from '..'
import { isNiftiName, loadNiftiHeader, planeGeometry } from '../nifti'
import { volumeInfo } from './volume-frames'

/** An entry plus the header fields grouping needs (not sent to the renderer). */
export interface ScannedEntry {
  entry: ImageEntry
  header: ImageHeader | null
}

/**
 * Reads one file's header for the viewer's list.
 * @param explicit true when the user opened this very file: a file that is not an image is then listed with
 * the reason instead of being skipped.
 * @returns null for a non-image inside a scanned folder (skipped); otherwise the entry, with `problem` set
 * when the header does not read.
 */
export async function readEntry(file: string, explicit: boolean): Promise<ScannedEntry | null> {
  const name = path.basename(file)
  const base: ImageEntry = { path: file, name, kind: 'unknown', width: 0, height: 0, frames: 1 }
  if (isNiftiName(file)) {
    // In a folder, the .img half of an Analyze-style pair is listed through its .hdr.
    if (!explicit && /\.img(\.gz)?$/i.test(file) && (await exists(file.replace(/\.img(\.gz)?$/i, '.hdr')))) return null
    return readVolumeEntry(file, base)
  }
  try {
    const h = await readImageHeader(file)
    const entry: ImageEntry = { ...base, kind: h.kind, width: h.width, height: h.height, frames: h.frames }
    if (h.modality) entry.modality = h.modality
    if (h.instanceNumber !== undefined) entry.instanceNumber = h.instanceNumber
    if (h.imagePositionPatient) entry.imagePositionPatient = h.imagePositionPatient
    if (h.imageOrientationPatient) entry.imageOrientationPatient = h.imageOrientationPatient
    if (h.pixelSpacing) entry.pixelSpacing = h.pixelSpacing
    if (h.frameOrder) entry.frameOrder = h.frameOrder
    return { entry, header: h }
  } catch (err) {
    // Only failures need the content sniffed again, to tell "not an image" (skipped in folders) from a broken one.
    let kind
    try {
      kind = await sniffFile(file)
    } catch (sniffErr) {
      return { entry: { ...base, problem: problemOf(sniffErr) }, header: null }
    }
    if (!kind && !explicit) return null
    return { entry: { ...base, kind: kind ?? 'unknown', problem: problemOf(err) }, header: null }
  }
}

/**
 * A NIfTI volume, listed from its header (a .nii.gz is inflated only that far) as its axial plane; a header
 * that does not read is listed with the reason, since the name promised a volume.
 */
async function readVolumeEntry(file: string, base: ImageEntry): Promise<ScannedEntry> {
  try {
    const h = await loadNiftiHeader(file)
    const axial = planeGeometry(h, 'axial')
    const entry: ImageEntry = {
      ...base,
      kind: 'nifti',
      width: axial.width,
      height: axial.height,
      frames: axial.slices,
      volume: volumeInfo(h)
    }
    return { entry, header: null }
  } catch (err) {
    return { entry: { ...base, kind: 'nifti', problem: problemOf(err) }, header: null }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p)
    return true
  } catch {
    return false
  }
}

function problemOf(err: unknown): { code: string; message: string } {
  const env = toEnvelope(err)
  return { code: env.code, message: env.message }
}

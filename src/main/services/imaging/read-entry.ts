import path from 'node:path'
import type { ImageEntry } from '../../../shared/contract/imaging'
import { toEnvelope } from '../../../shared/errors'
import { readImageHeader, sniffFile, type ImageHeader } from '../../imaging'

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
  try {
    const h = await readImageHeader(file)
    const entry: ImageEntry = { ...base, kind: h.kind, width: h.width, height: h.height, frames: h.frames }
    if (h.modality) entry.modality = h.modality
    if (h.instanceNumber !== undefined) entry.instanceNumber = h.instanceNumber
    if (h.imagePositionPatient) entry.imagePositionPatient = h.imagePositionPatient
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

function problemOf(err: unknown): { code: string; message: string } {
  const env = toEnvelope(err)
  return { code: env.code, message: env.message }
}

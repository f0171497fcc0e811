import path from 'node:path'
import type { SeriesGroup } from '../../../shared/contract/imaging'
import { sortSeries } from '..'
import type { ScannedEntry } from './read-entry'

/** Key of the group of files whose header could not be read. */
export const UNREADABLE_KEY = 'unreadable'

interface Bucket {
  group: SeriesGroup
  items: ScannedEntry[]
  dicom: boolean
}

/**
 * Groups scanned files for the viewer's side list: DICOM by Series Instance UID (0020,000E) (files without
 * one by folder), PNG/JPEG by folder, unreadable files last. Each DICOM series is sorted along its slice
 * normal by `sortSeries` (ImagePositionPatient on ImageOrientationPatient, then InstanceNumber); plain images
 * by name; each NIfTI volume is a group of its own. Groups are ordered by patient, series number and label.
 */
export function groupSeries(scanned: ScannedEntry[]): SeriesGroup[] {
  const buckets = new Map<string, Bucket>()
  for (const s of scanned) {
    const h = s.header
    const dir = path.dirname(s.entry.path)
    let key: string
    if (s.entry.kind === 'nifti' && !s.entry.problem) key = `volume:${s.entry.path}`
    else if (!h) key = UNREADABLE_KEY
    else if (h.kind === 'dicom') key = h.seriesInstanceUID ? `series:${h.seriesInstanceUID}` : `dicom:${dir}`
    else key = `folder:${dir}`
    let b = buckets.get(key)
    if (!b) {
      b = { group: { key, label: '', entries: [] }, items: [], dicom: h?.kind === 'dicom' }
      if (h?.kind === 'dicom') {
        if (h.patientId) b.group.patientId = h.patientId
        if (h.patientName) b.group.patientName = h.patientName
        if (h.seriesDescription) b.group.seriesDescription = h.seriesDescription
        if (h.seriesNumber !== undefined) b.group.seriesNumber = h.seriesNumber
        if (h.studyInstanceUID) b.group.studyInstanceUid = h.studyInstanceUID
        if (h.frameOfReferenceUID) b.group.frameOfReferenceUid = h.frameOfReferenceUID
      }
      buckets.set(key, b)
    }
    b.items.push(s)
  }
  const groups: Bucket[] = [...buckets.values()]
  for (const b of groups) {
    const sorted = b.dicom
      ? sortSeries(b.items.map((i) => ({ ...i.header, scanned: i }))).map((x) => x.scanned)
      : [...b.items].sort((x, y) => x.entry.path.localeCompare(y.entry.path, undefined, { numeric: true }))
    b.group.entries = sorted.map((i) => i.entry)
    b.group.label = labelOf(b)
  }
  groups.sort(compareBuckets)
  return groups.map((b) => b.group)
}

function labelOf(b: Bucket): string {
  const g = b.group
  const n = g.entries.length
  const count = n === 1 ? '1 image' : `${n} images`
  if (g.key === UNREADABLE_KEY) return `Unreadable files (${n})`
  const volume = g.entries[0].volume
  if (volume) return `${g.entries[0].name} · ${volume.dims.join('×')} ${volume.orientation}`
  if (!b.dicom) return `${path.basename(path.dirname(g.entries[0].path)) || '/'} (${count})`
  const modality = g.entries[0].modality
  const parts = [
    g.seriesNumber !== undefined ? String(g.seriesNumber) : null,
    g.seriesDescription || 'Series',
    modality ? `(${modality})` : null
  ].filter(Boolean)
  return `${parts.join(' ')} · ${count}`
}

/** DICOM series first (by patient, series number, label), then plain-image folders, then unreadable files. */
function compareBuckets(a: Bucket, b: Bucket): number {
  const rank = (x: Bucket) => (x.group.key === UNREADABLE_KEY ? 2 : x.dicom ? 0 : 1)
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  const pa = a.group.patientId ?? ''
  const pb = b.group.patientId ?? ''
  if (pa !== pb) return pa < pb ? -1 : 1
  const sa = a.group.seriesNumber ?? Number.MAX_SAFE_INTEGER
  const sb = b.group.seriesNumber ?? Number.MAX_SAFE_INTEGER
  if (sa !== sb) return sa - sb
  return a.group.label.localeCompare(b.group.label, undefined, { numeric: true })
}

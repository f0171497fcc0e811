import type { ImageEntry, SeriesGroup } from '../../../shared/contract/imaging'

/**
 * Slice locations of a series in mm along its slice normal. The normal is taken from the spread of Image
 * Position (Patient) (0020,0032) between the first and last positioned slices (the series is already sorted
 * along it), so no orientation tag is needed; the location is the position's projection on that normal.
 * Null for series with fewer than two distinct positions (single images, PNG/JPEG).
 */
export function sliceLocations(group: SeriesGroup | null): Map<string, number> | null {
  if (!group) return null
  const positioned = group.entries.filter((e) => e.imagePositionPatient?.length === 3)
  if (positioned.length < 2) return null
  const a = positioned[0].imagePositionPatient!
  const b = positioned[positioned.length - 1].imagePositionPatient!
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]]
  const len = Math.hypot(d[0], d[1], d[2])
  if (len < 1e-6) return null
  const n = d.map((x) => x / len)
  // Sign: a normal pointing along +z (or +x, +y for sagittal/coronal) reads like the scanner's table position.
  const major = n.reduce((m, x, i) => (Math.abs(x) > Math.abs(n[m]) ? i : m), 0)
  const sign = n[major] < 0 ? -1 : 1
  const out = new Map<string, number>()
  for (const e of positioned) {
    const p = e.imagePositionPatient!
    out.set(e.path, sign * (p[0] * n[0] + p[1] * n[1] + p[2] * n[2]))
  }
  return out
}

/** "12.5 mm" with one decimal, or '' when unknown. */
export function formatLocation(mm: number | undefined): string {
  return mm === undefined ? '' : `${mm.toFixed(1)} mm`
}

/** How a file is named in the series list: its slice location or instance number, else its file name. */
export function entryLabel(e: ImageEntry, locations: Map<string, number> | null): string {
  const loc = locations?.get(e.path)
  if (loc !== undefined)
    return `${e.instanceNumber !== undefined ? `#${e.instanceNumber} · ` : ''}${formatLocation(loc)}`
  if (e.instanceNumber !== undefined) return `#${e.instanceNumber} · ${e.name}`
  return e.name
}

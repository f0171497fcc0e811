import type { ImageEntry, SeriesGroup } from '../../../shared/contract/imaging'

/** One position of the slice/frame slider: a file and one of its frames (0-based). */
export interface StackItem {
  entry: ImageEntry
  frame: number
}

/** Most positions one stack holds; beyond this the slider would be unusable anyway. */
export const MAX_STACK = 100_000

/**
 * The slider positions of a series: every frame of every file in display order (slices of single-frame
 * series, frames of a multi-frame file, or both). Unreadable files count as one position showing the reason.
 */
export function buildStack(group: SeriesGroup | null | undefined): StackItem[] {
  const out: StackItem[] = []
  if (!group) return out
  for (const entry of group.entries) {
    const frames = entry.problem ? 1 : Math.max(1, entry.frames)
    for (let f = 0; f < frames && out.length < MAX_STACK; f++) out.push({ entry, frame: f })
  }
  return out
}

/** Cache key of one frame. */
export function frameKey(path: string, frame: number): string {
  return `${frame}\u0000${path}`
}

/**
 * Formats a modality value for the pixel readout: integers as is, others with 2 decimals (3 for small
 * magnitudes), then the units ('HU', a Rescale Type, or nothing).
 */
export function formatValue(v: number, units: string): string {
  const text = Number.isInteger(v) ? String(v) : Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(2)
  return units ? `${text} ${units}` : text
}

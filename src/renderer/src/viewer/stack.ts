import type { ImageEntry, SeriesGroup, ViewerPlane } from '../../../shared/contract/imaging'

/** One position of the slider: a file and one of its frames (0-based), or a volume's slice along `plane`. */
export interface StackItem {
  entry: ImageEntry
  frame: number
  /** NIfTI volumes only: the plane `frame` counts slices along. */
  plane?: ViewerPlane
}

/** Most positions one stack holds; beyond this the slider would be unusable anyway. */
export const MAX_STACK = 100_000

/**
 * The slider positions of a series: every frame of every file in display order (slices of single-frame
 * series, frames of a multi-frame file, or both); a volume's slices along `plane` (default axial). Unreadable
 * files count as one position showing the reason.
 */
export function buildStack(group: SeriesGroup | null | undefined, plane: ViewerPlane = 'axial'): StackItem[] {
  const out: StackItem[] = []
  if (!group) return out
  for (const entry of group.entries) {
    if (entry.volume && !entry.problem) {
      const slices = entry.volume.slices[plane]
      for (let s = 0; s < slices && out.length < MAX_STACK; s++) out.push({ entry, frame: s, plane })
      continue
    }
    const frames = entry.problem ? 1 : Math.max(1, entry.frames)
    // Enhanced multi-frame files list their frames in slice order (by each frame's Plane Position).
    const order = !entry.problem && entry.frameOrder?.length === frames ? entry.frameOrder : null
    for (let f = 0; f < frames && out.length < MAX_STACK; f++) out.push({ entry, frame: order ? order[f] : f })
  }
  return out
}

/** Cache key of one frame (of a volume: one slice of one plane). */
export function frameKey(path: string, frame: number, plane?: ViewerPlane): string {
  return `${frame}\u0000${plane ?? ''}\u0000${path}`
}

/**
 * Formats a modality value for the pixel readout: integers as is, others with 2 decimals (3 for small
 * magnitudes), then the units ('HU', a Rescale Type, or nothing).
 */
export function formatValue(v: number, units: string): string {
  const text = Number.isInteger(v) ? String(v) : Math.abs(v) < 10 ? v.toFixed(3) : v.toFixed(2)
  return units ? `${text} ${units}` : text
}

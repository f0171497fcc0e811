import type { SegFrame } from './seg-header'

/** One displayed slice a SEG may label: a single-frame image, or one frame of a multi-frame image. */
export interface SliceRef {
  /** SOP Instance UID (0008,0018) of the image file. */
  sopInstanceUid?: string
  /** 0-based frame within that file (0 for single-frame images). */
  frame: number
  /** Image Position (Patient) (0020,0032) of that frame, mm. */
  position?: number[]
}

/** How the SEG frames were tied to the slice. */
export type SegMatch = 'reference' | 'position' | 'none'

/**
 * Positions closer than this (mm, Euclidean) are the same slice. DS values carry at most 16 characters, so
 * writers round positions; 0.01 mm is far below any slice spacing and above that rounding.
 */
export const POSITION_TOLERANCE_MM = 0.01

/**
 * The SEG frames (0-based indices) that label `slice`. A frame whose Source Image Sequence (0008,2112)
 * references the slice's SOP Instance UID (and, when given, its 1-based Referenced Frame Number (0008,1160))
 * labels it. A frame that references no source image falls back to Image Position (Patient): it labels the
 * slice at the same position within POSITION_TOLERANCE_MM. A frame with references never matches by position,
 * so it cannot paint a slice it does not name.
 * @returns the frames, and 'reference' when any matched by UID, 'position' when all matched by position.
 */
export function segFramesForSlice(frames: readonly SegFrame[], slice: SliceRef): { frames: number[]; match: SegMatch } {
  const hit: number[] = []
  let byReference = false
  const p = slice.position?.length === 3 ? slice.position : undefined
  frames.forEach((f, i) => {
    if (f.sources.length) {
      const named = f.sources.some(
        (s) => s.sopInstanceUid === slice.sopInstanceUid && (s.frame === undefined || s.frame === slice.frame + 1)
      )
      if (named && slice.sopInstanceUid) {
        hit.push(i)
        byReference = true
      }
      return
    }
    const q = f.position
    if (p && q?.length === 3 && Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]) <= POSITION_TOLERANCE_MM) hit.push(i)
  })
  return { frames: hit, match: byReference ? 'reference' : hit.length ? 'position' : 'none' }
}

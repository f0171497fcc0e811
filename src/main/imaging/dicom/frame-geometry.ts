import type { DataSet } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import { sortSeries } from '../series'
import { fromFunctionalGroups } from './pixel-module'
import { key, numbers } from './values'

const PER_FRAME = 0x52009230
const PLANE_POSITION = 0x00209113
const PLANE_ORIENTATION = 0x00209116

/**
 * An enhanced multi-frame file must carry one Per-frame Functional Groups (5200,9230) item per frame: with
 * fewer, frames would silently take another frame's position, rescale or window.
 * @throws AppError CORRUPT naming the file, the sequence and both counts.
 */
export function checkPerFrameItems(ds: DataSet, frames: number, where: string): void {
  const el = ds.elements[key(PER_FRAME)]
  if (!el) return
  const items = el.items?.length ?? 0
  if (items !== frames) {
    throw new AppError(
      'CORRUPT',
      `${where}: Per-frame Functional Groups Sequence (5200,9230) has ${items} item(s) for Number of Frames (0028,0008) ${frames}`
    )
  }
}

/** Image Position (Patient) (0020,0032) and Orientation (0020,0037) of one frame, from the functional groups. */
export function framePlane(
  ds: DataSet,
  frame: number
): { imagePositionPatient?: number[]; imageOrientationPatient?: number[] } {
  const vec = (tag: number, len: number) => (d: DataSet) => {
    const v = numbers(d, tag)
    return v.length === len ? v : undefined
  }
  return {
    imagePositionPatient: fromFunctionalGroups(ds, frame, PLANE_POSITION, vec(0x00200032, 3)),
    imageOrientationPatient: fromFunctionalGroups(ds, frame, PLANE_ORIENTATION, vec(0x00200037, 6))
  }
}

/**
 * Display order of an enhanced multi-frame file's frames: sorted along the slice normal by each frame's Plane
 * Position (0020,9113), ties by stored order, exactly as `sortSeries` sorts the files of a series.
 * @returns frame indices (0-based) in display order, or undefined when the file has no Per-frame Functional
 * Groups or the order is the stored one.
 */
export function frameOrder(ds: DataSet, frames: number): number[] | undefined {
  if (frames < 2 || !ds.elements[key(PER_FRAME)]) return undefined
  const planes = Array.from({ length: frames }, (_, frame) => ({
    ...framePlane(ds, frame),
    instanceNumber: frame,
    frame
  }))
  const order = sortSeries(planes).map((p) => p.frame)
  return order.every((f, i) => f === i) ? undefined : order
}

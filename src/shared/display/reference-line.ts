/**
 * Slice-plane geometry for comparing two series of one study: where another viewport's slice plane cuts this
 * slice (the reference line), how far apart parallel slices are, and which slice of a series lies nearest a
 * point in patient space (synced scrolling). Pure: no DOM, no Node.
 *
 * Coordinates: patient space in mm (DICOM LPS). Image coordinates are continuous pixels with pixel edges on
 * integers, as the viewer's view transform uses them: pixel (column i, row j) covers [i, i+1] × [j, j+1], so its
 * centre, where Image Position (Patient) (0020,0032) sits for pixel (0, 0), is (i + 0.5, j + 0.5).
 */

export type Vec3 = [number, number, number]

/** One slice's geometry, from its DICOM header. */
export interface SlicePlane {
  /** Image Position (Patient) (0020,0032): centre of the first transmitted pixel, mm. */
  position: Vec3
  /** Image Orientation (Patient) (0020,0037), first three: direction of increasing column index (along a row). */
  rowDir: Vec3
  /** Image Orientation (Patient) (0020,0037), last three: direction of increasing row index (down a column). */
  colDir: Vec3
  /** Pixel Spacing (0028,0030): [row spacing (between rows, mm), column spacing (between columns, mm)]. */
  spacing: [number, number]
  /** Rows (0028,0010). */
  rows: number
  /** Columns (0028,0011). */
  columns: number
}

/** A point in image coordinates (see the module comment). */
export interface ImagePoint {
  x: number
  y: number
}

/** What to draw in one viewport for the other viewport's slice. */
export type ReferenceLine =
  /** The planes cross inside both images: the segment, in this image's coordinates. */
  | { kind: 'line'; a: ImagePoint; b: ImagePoint }
  /**
   * The planes are parallel (within `PARALLEL_SIN`): no line; `distanceMm` is the other plane's offset along
   * this slice's normal (row × column direction), positive on the normal's side.
   */
  | { kind: 'parallel'; distanceMm: number }
  /** The planes cross, but not where both images have pixels. */
  | { kind: 'outside' }

/** Planes whose normals differ by less than this sine (about 0.3°) count as parallel. */
export const PARALLEL_SIN = 0.005

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0]
]
const unit = (a: Vec3): Vec3 => {
  const n = Math.hypot(a[0], a[1], a[2])
  return n > 0 ? [a[0] / n, a[1] / n, a[2] / n] : [0, 0, 0]
}

/** Unit normal of a slice: row direction × column direction. */
export function planeNormal(p: SlicePlane): Vec3 {
  return unit(cross(p.rowDir, p.colDir))
}

/** Patient-space point (mm) of image point `q` of slice `p`. */
export function patientPoint(p: SlicePlane, q: ImagePoint): Vec3 {
  const i = (q.x - 0.5) * p.spacing[1]
  const j = (q.y - 0.5) * p.spacing[0]
  return [
    p.position[0] + p.rowDir[0] * i + p.colDir[0] * j,
    p.position[1] + p.rowDir[1] * i + p.colDir[1] * j,
    p.position[2] + p.rowDir[2] * i + p.colDir[2] * j
  ]
}

/** Patient-space centre of the image rectangle of slice `p`, mm. */
export function planeCentre(p: SlicePlane): Vec3 {
  return patientPoint(p, { x: p.columns / 2, y: p.rows / 2 })
}

/** Image coordinates in slice `p` of the patient-space point `v` projected onto its plane. */
function imagePointOf(p: SlicePlane, v: Vec3): ImagePoint {
  const d = sub(v, p.position)
  return { x: dot(d, p.rowDir) / p.spacing[1] + 0.5, y: dot(d, p.colDir) / p.spacing[0] + 0.5 }
}

/** Whether two slices' planes are parallel (same or opposite normal). */
export function areParallel(a: SlicePlane, b: SlicePlane): boolean {
  return Math.hypot(...cross(planeNormal(a), planeNormal(b))) < PARALLEL_SIN
}

/**
 * Where slice `other`'s plane cuts slice `target`, clipped to both image rectangles (the line exists only where
 * both slices have pixels), in `target`'s image coordinates. Parallel planes give their distance instead.
 */
export function referenceLine(target: SlicePlane, other: SlicePlane): ReferenceLine {
  const n1 = planeNormal(target)
  const n2 = planeNormal(other)
  const u = cross(n1, n2)
  if (Math.hypot(u[0], u[1], u[2]) < PARALLEL_SIN) {
    return { kind: 'parallel', distanceMm: dot(sub(other.position, target.position), n1) }
  }
  // In target's image coordinates the other plane is the line a·x + b·y + c = 0.
  const a = dot(n2, target.rowDir) * target.spacing[1]
  const b = dot(n2, target.colDir) * target.spacing[0]
  const c = dot(n2, sub(patientPoint(target, { x: 0, y: 0 }), other.position))
  const len2 = a * a + b * b
  // Point of the line nearest the image origin, and its direction: q(t) = q0 + t·(−b, a).
  const q0 = { x: (-c * a) / len2, y: (-c * b) / len2 }
  const dir = { x: -b, y: a }
  // Each image coordinate is linear in t; keep t where all four lie inside their rectangles.
  const o0 = imagePointOf(other, patientPoint(target, q0))
  const o1 = imagePointOf(other, patientPoint(target, { x: q0.x + dir.x, y: q0.y + dir.y }))
  const bounds: [number, number, number][] = [
    [q0.x, dir.x, target.columns],
    [q0.y, dir.y, target.rows],
    [o0.x, o1.x - o0.x, other.columns],
    [o0.y, o1.y - o0.y, other.rows]
  ]
  let lo = -Infinity
  let hi = Infinity
  for (const [v0, dv, max] of bounds) {
    if (Math.abs(dv) < 1e-12) {
      if (v0 < 0 || v0 > max) return { kind: 'outside' }
      continue
    }
    const t1 = (0 - v0) / dv
    const t2 = (max - v0) / dv
    lo = Math.max(lo, Math.min(t1, t2))
    hi = Math.min(hi, Math.max(t1, t2))
  }
  if (!(hi > lo)) return { kind: 'outside' }
  return {
    kind: 'line',
    a: { x: q0.x + lo * dir.x, y: q0.y + lo * dir.y },
    b: { x: q0.x + hi * dir.x, y: q0.y + hi * dir.y }
  }
}

/**
 * Index of the slice in `slices` whose plane lies nearest the patient-space point `point`, measured along each
 * slice's normal; -1 when `slices` is empty. Synced scrolling passes the other viewport's image centre.
 */
export function nearestSlice(slices: readonly SlicePlane[], point: Vec3): number {
  let best = -1
  let bestD = Infinity
  for (let k = 0; k < slices.length; k++) {
    const d = Math.abs(dot(sub(point, slices[k].position), planeNormal(slices[k])))
    if (d < bestD) {
      bestD = d
      best = k
    }
  }
  return best
}

/**
 * A slice's plane from header values, or null when one is missing or degenerate (e.g. PNG, or a DICOM file
 * without Image Plane module).
 */
export function slicePlaneOf(h: {
  imagePositionPatient?: readonly number[]
  imageOrientationPatient?: readonly number[]
  pixelSpacing?: readonly number[]
  rows: number
  columns: number
}): SlicePlane | null {
  const p = h.imagePositionPatient
  const o = h.imageOrientationPatient
  const s = h.pixelSpacing
  if (p?.length !== 3 || o?.length !== 6 || !s || s.length < 2 || !(s[0] > 0) || !(s[1] > 0)) return null
  if (!(h.rows > 0) || !(h.columns > 0)) return null
  const rowDir = unit([o[0], o[1], o[2]])
  const colDir = unit([o[3], o[4], o[5]])
  if (Math.hypot(...cross(rowDir, colDir)) < 0.5) return null
  return { position: [p[0], p[1], p[2]], rowDir, colDir, spacing: [s[0], s[1]], rows: h.rows, columns: h.columns }
}

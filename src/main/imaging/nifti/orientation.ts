/**
 * Voxel-to-world geometry of a NIfTI volume: the qform quaternion as a matrix, and which world direction
 * (RAS+: x to the patient's Right, y Anterior, z Superior) each voxel axis points to most closely.
 */

/** Rows of a 4×4 voxel (i, j, k, 1) → world (x, y, z, 1) matrix, millimetres. */
export type Affine = [number[], number[], number[], number[]]

/**
 * nifti1.h method 2: R from the quaternion (b, c, d; a = √(1 − b² − c² − d²)), columns scaled by the voxel
 * sizes, the third by qfac (pixdim[0], ±1), then the qoffset translation.
 */
export function qformAffine(
  [b, c, d]: number[],
  offset: number[],
  voxel: [number, number, number],
  qfac: number
): Affine {
  const a2 = 1 - (b * b + c * c + d * d)
  let a = 0
  if (a2 < 1e-7) {
    // nifti1.h: a 180° rotation; renormalise (b, c, d).
    const n = Math.hypot(b, c, d) || 1
    b /= n
    c /= n
    d /= n
  } else a = Math.sqrt(a2)
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b]
  ]
  const scale = [voxel[0], voxel[1], voxel[2] * (qfac < 0 ? -1 : 1)]
  return [
    [r[0][0] * scale[0], r[0][1] * scale[1], r[0][2] * scale[2], offset[0]],
    [r[1][0] * scale[0], r[1][1] * scale[1], r[1][2] * scale[2], offset[1]],
    [r[2][0] * scale[0], r[2][1] * scale[1], r[2][2] * scale[2], offset[2]],
    [0, 0, 0, 1]
  ]
}

/**
 * For each world axis (0 = x/R, 1 = y/A, 2 = z/S): the voxel axis closest to it and whether increasing
 * that voxel index moves toward +world (+1) or −world (−1).
 */
export interface AxisMap {
  axis: [number, number, number]
  sign: [1 | -1, 1 | -1, 1 | -1]
}

/**
 * Assigns voxel axes to world axes greedily by the largest absolute direction cosine, each used once
 * (like nibabel's io_orientation for the oblique-free and mildly oblique cases).
 */
export function axisMap(affine: Affine): AxisMap {
  const cos: number[][] = [0, 1, 2].map((v) => {
    const col = [affine[0][v], affine[1][v], affine[2][v]]
    const n = Math.hypot(col[0], col[1], col[2]) || 1
    return col.map((x) => x / n)
  })
  const pairs: { v: number; w: number; m: number }[] = []
  for (let v = 0; v < 3; v++) for (let w = 0; w < 3; w++) pairs.push({ v, w, m: Math.abs(cos[v][w]) })
  pairs.sort((p, q) => q.m - p.m || p.v - q.v || p.w - q.w)
  const axis: number[] = [-1, -1, -1]
  const sign: (1 | -1)[] = [1, 1, 1]
  const usedV = new Set<number>()
  for (const p of pairs) {
    if (axis[p.w] >= 0 || usedV.has(p.v)) continue
    axis[p.w] = p.v
    sign[p.w] = cos[p.v][p.w] < 0 ? -1 : 1
    usedV.add(p.v)
  }
  return { axis: axis as AxisMap['axis'], sign: sign as AxisMap['sign'] }
}

const POSITIVE = ['R', 'A', 'S']
const NEGATIVE = ['L', 'P', 'I']

/** Orientation code such as "RAS" or "LPI": for voxel axes i, j, k, the world direction each points toward. */
export function axisCode(affine: Affine): string {
  const m = axisMap(affine)
  const code = ['', '', '']
  for (let w = 0; w < 3; w++) code[m.axis[w]] = m.sign[w] > 0 ? POSITIVE[w] : NEGATIVE[w]
  return code.join('')
}

/** Letter for the patient direction a world axis points to: +x R, −x L, +y A, −y P, +z S, −z I. */
export function directionLetter(worldAxis: number, sign: number): string {
  return sign > 0 ? POSITIVE[worldAxis] : NEGATIVE[worldAxis]
}

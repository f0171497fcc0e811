import { describe, expect, it } from 'vitest'
import {
  areParallel,
  nearestSlice,
  patientPoint,
  planeCentre,
  planeNormal,
  referenceLine,
  slicePlaneOf,
  type SlicePlane,
  type Vec3
} from '../../../src/shared/display/reference-line'

/** Axial slice at height z: 100 rows × 80 columns, rows 2 mm apart, columns 2.5 mm apart, from (-100, -100). */
function axial(z: number): SlicePlane {
  return { position: [-100, -100, z], rowDir: [1, 0, 0], colDir: [0, 1, 0], spacing: [2, 2.5], rows: 100, columns: 80 }
}

/** Sagittal slice at x: 60 rows 4 mm apart going down from z = 100, 50 columns 2 mm apart from y = -100 (anterior). */
function sagittal(x: number): SlicePlane {
  return { position: [x, -100, 100], rowDir: [0, 1, 0], colDir: [0, 0, -1], spacing: [4, 2], rows: 60, columns: 50 }
}

const onPlane = (p: SlicePlane, v: Vec3): number => {
  const n = planeNormal(p)
  return (v[0] - p.position[0]) * n[0] + (v[1] - p.position[1]) * n[1] + (v[2] - p.position[2]) * n[2]
}

describe('referenceLine', () => {
  it('draws a sagittal slice on an axial one as a vertical line clipped to where the sagittal image has pixels', () => {
    const line = referenceLine(axial(10), sagittal(-50))
    expect(line.kind).toBe('line')
    if (line.kind !== 'line') return
    // x = -50 mm is column (-50 + 100) / 2.5 = 20 → centre 20.5; the sagittal covers y -101..-1 mm → rows 0..50.
    const [top, bottom] = [line.a, line.b].sort((p, q) => p.y - q.y)
    expect(top.x).toBeCloseTo(20.5, 9)
    expect(bottom.x).toBeCloseTo(20.5, 9)
    expect(top.y).toBeCloseTo(0, 9)
    expect(bottom.y).toBeCloseTo(50, 9)
  })

  it('draws an axial slice on a sagittal one as a horizontal line at its height', () => {
    const line = referenceLine(sagittal(-50), axial(10))
    expect(line.kind).toBe('line')
    if (line.kind !== 'line') return
    // z = 10 mm is row (100 - 10) / 4 = 22.5 → 23; the axial covers y -101..99 mm, wider than the 50 columns.
    const [left, right] = [line.a, line.b].sort((p, q) => p.x - q.x)
    expect(left.y).toBeCloseTo(23, 9)
    expect(right.y).toBeCloseTo(23, 9)
    expect(left.x).toBeCloseTo(0, 9)
    expect(right.x).toBeCloseTo(50, 9)
  })

  it('gives nothing to draw when the planes cross outside the images', () => {
    // The sagittal image spans z from 102 down to -138 mm; an axial slice at z = 300 misses it.
    expect(referenceLine(sagittal(-50), axial(300)).kind).toBe('outside')
    // x = 500 mm is far right of the axial image.
    expect(referenceLine(axial(10), sagittal(500)).kind).toBe('outside')
  })

  it('gives the signed distance between parallel planes instead of a line', () => {
    expect(referenceLine(axial(10), axial(13.5))).toEqual({ kind: 'parallel', distanceMm: 3.5 })
    expect(referenceLine(axial(13.5), axial(10))).toEqual({ kind: 'parallel', distanceMm: -3.5 })
    // Same orientation, different in-plane origin and size: still only the offset along the normal counts.
    const shifted: SlicePlane = { ...axial(4), position: [-20, 30, 4], rows: 10, columns: 10 }
    expect(referenceLine(axial(10), shifted)).toEqual({ kind: 'parallel', distanceMm: -6 })
    expect(areParallel(axial(0), shifted)).toBe(true)
    expect(areParallel(axial(0), sagittal(0))).toBe(false)
  })

  it('draws an oblique slice tilted 45° about x on an axial one as a horizontal line', () => {
    const s = Math.SQRT1_2
    const oblique: SlicePlane = {
      position: [-100, -20, 0],
      rowDir: [1, 0, 0],
      colDir: [0, s, -s],
      spacing: [2, 2.5],
      rows: 100,
      columns: 80
    }
    const line = referenceLine(axial(0), oblique)
    expect(line.kind).toBe('line')
    if (line.kind !== 'line') return
    const [left, right] = [line.a, line.b].sort((p, q) => p.x - q.x)
    // It meets z = 0 at y = -20 mm: row (−20 + 100) / 2 = 40 → centre 40.5, across all 80 columns.
    expect(left).toEqual({ x: expect.closeTo(0, 9), y: expect.closeTo(40.5, 9) })
    expect(right).toEqual({ x: expect.closeTo(80, 9), y: expect.closeTo(40.5, 9) })
  })

  it('keeps every oblique line on both planes and inside both images', () => {
    let seed = 7
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1
    let drawn = 0
    for (let k = 0; k < 200; k++) {
      const r = [rnd(), rnd(), rnd()] as Vec3
      const n = Math.hypot(...r)
      const rowDir = r.map((x) => x / n) as Vec3
      // A second direction orthogonal to rowDir.
      const t = [rnd(), rnd(), rnd()] as Vec3
      const d = t[0] * rowDir[0] + t[1] * rowDir[1] + t[2] * rowDir[2]
      const c = t.map((x, i) => x - d * rowDir[i]) as Vec3
      const cn = Math.hypot(...c)
      const other: SlicePlane = {
        position: [rnd() * 60, rnd() * 60, rnd() * 60],
        rowDir,
        colDir: c.map((x) => x / cn) as Vec3,
        spacing: [1 + Math.abs(rnd()), 1 + Math.abs(rnd())],
        rows: 90,
        columns: 70
      }
      const target = axial(rnd() * 30)
      const line = referenceLine(target, other)
      if (line.kind !== 'line') continue
      drawn++
      for (const q of [line.a, line.b]) {
        expect(Math.abs(onPlane(target, patientPoint(target, q)))).toBeLessThan(1e-9)
        expect(Math.abs(onPlane(other, patientPoint(target, q)))).toBeLessThan(1e-6)
        expect(q.x).toBeGreaterThanOrEqual(-1e-9)
        expect(q.x).toBeLessThanOrEqual(target.columns + 1e-9)
        expect(q.y).toBeGreaterThanOrEqual(-1e-9)
        expect(q.y).toBeLessThanOrEqual(target.rows + 1e-9)
      }
    }
    expect(drawn).toBeGreaterThan(20)
  })
})

describe('nearestSlice', () => {
  it('picks the slice nearest along the normal, whatever the spacing', () => {
    const fives = [0, 5, 10, 15].map(axial)
    expect(nearestSlice(fives, [0, 0, 7.4])).toBe(1)
    expect(nearestSlice(fives, [30, -40, 7.6])).toBe(2)
    expect(nearestSlice(fives, [0, 0, 99])).toBe(3)
    expect(nearestSlice([], [0, 0, 0])).toBe(-1)
    // The centre of an axial image at z = 12 finds the 3 mm series' slice at 12 exactly.
    const threes = [0, 3, 6, 9, 12, 15].map(axial)
    expect(nearestSlice(threes, planeCentre(axial(12)))).toBe(4)
  })
})

describe('slicePlaneOf', () => {
  const ok = {
    imagePositionPatient: [1, 2, 3],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    pixelSpacing: [0.5, 0.7],
    rows: 4,
    columns: 5
  }
  it('reads header values and refuses missing or degenerate ones', () => {
    expect(slicePlaneOf(ok)).toEqual({
      position: [1, 2, 3],
      rowDir: [1, 0, 0],
      colDir: [0, 1, 0],
      spacing: [0.5, 0.7],
      rows: 4,
      columns: 5
    })
    expect(slicePlaneOf({ ...ok, imageOrientationPatient: undefined })).toBeNull()
    expect(slicePlaneOf({ ...ok, pixelSpacing: [0, 1] })).toBeNull()
    expect(slicePlaneOf({ ...ok, imageOrientationPatient: [1, 0, 0, 1, 0, 0] })).toBeNull()
    expect(slicePlaneOf({ ...ok, rows: 0 })).toBeNull()
  })
})

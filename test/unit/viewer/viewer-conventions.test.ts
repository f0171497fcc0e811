import { describe, expect, it } from 'vitest'
import type { ImageEntry, SeriesGroup } from '../../../src/shared/contract/imaging'
import { percentileRange, presetsFor, WINDOW_PRESETS } from '../../../src/renderer/src/viewer/presets'
import { entryLabel, sliceLocations } from '../../../src/renderer/src/viewer/slice-geometry'

describe('window presets by modality', () => {
  it('offers CT presets only for CT or HU values, and MR windows always', () => {
    const ids = (m: string | undefined, u: string) => presetsFor(m, u).map((p) => p.id)
    expect(ids('MR', '')).toEqual(['auto', 'full', 'p1-99', 'p5-95'])
    expect(ids(undefined, '')).toEqual(['auto', 'full', 'p1-99', 'p5-95'])
    expect(ids('CT', 'HU')).toEqual(WINDOW_PRESETS.filter((p) => p.kind !== 'lut').map((p) => p.id))
    expect(ids(undefined, 'HU')).toContain('brain')
  })

  it('offers the VOI LUT preset only when the frame carries a VOI LUT Sequence (0028,3010)', () => {
    expect(presetsFor('MR', '', true).map((p) => p.id)).toEqual(['auto', 'voi-lut', 'full', 'p1-99', 'p5-95'])
    expect(presetsFor('CT', 'HU', true).map((p) => p.id)).toEqual(WINDOW_PRESETS.map((p) => p.id))
  })

  it('finds percentiles of a frame to within one histogram bin', () => {
    const n = 10_000
    const values = new Float32Array(n).map((_, i) => (i * 7919) % n)
    const [lo, hi] = percentileRange(values, 0, n - 1, 1, 99)
    const bin = (n - 1) / 4095
    expect(Math.abs(lo - 0.01 * n)).toBeLessThanOrEqual(bin + 1)
    expect(Math.abs(hi - 0.99 * n)).toBeLessThanOrEqual(bin + 1)
    expect(percentileRange(new Float32Array([5, 5, 5]), 5, 5, 1, 99)).toEqual([5, 5])
  })
})

describe('slice locations', () => {
  const entry = (i: number, pos?: number[]): ImageEntry => ({
    path: `/s/${i}.dcm`,
    name: `${i}.dcm`,
    kind: 'dicom',
    width: 4,
    height: 4,
    frames: 1,
    instanceNumber: i + 1,
    ...(pos ? { imagePositionPatient: pos } : {})
  })
  const group = (entries: ImageEntry[]): SeriesGroup => ({ key: 'k', label: 'x', entries })

  it('projects positions on the normal from first to last slice, axial or oblique', () => {
    const axial = sliceLocations(group([0, 1, 2].map((i) => entry(i, [-120, -120, 10 + 2.5 * i]))))!
    expect([...axial.values()]).toEqual([10, 12.5, 15])
    // An oblique stack 3 mm apart along (0, 0.6, 0.8): locations 3 mm apart.
    const oblique = sliceLocations(group([0, 1, 2].map((i) => entry(i, [5, 1.8 * i, 2.4 * i]))))!
    const v = [...oblique.values()]
    expect(v[1] - v[0]).toBeCloseTo(3, 6)
    expect(v[2] - v[1]).toBeCloseTo(3, 6)
  })

  it('has no locations without two distinct positions, and labels entries by what it knows', () => {
    expect(sliceLocations(group([entry(0, [0, 0, 0])]))).toBeNull()
    expect(sliceLocations(group([entry(0), entry(1)]))).toBeNull()
    const locs = sliceLocations(group([entry(0, [0, 0, 0]), entry(1, [0, 0, 5])]))
    expect(entryLabel(entry(1, [0, 0, 5]), locs)).toBe('#2 · 5.0 mm')
    expect(entryLabel(entry(3), null)).toBe('#4 · 3.dcm')
    expect(entryLabel({ ...entry(3), instanceNumber: undefined }, null)).toBe('3.dcm')
  })
})

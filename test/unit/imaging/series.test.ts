import { afterAll, describe, expect, it } from 'vitest'
import { readImageHeader, sortSeries } from '../../../src/main/imaging'
import { grey8, scratchDir, writeImage } from '../../fixtures/dicom/corpus'

const scratch = scratchDir('series')
afterAll(() => scratch.cleanup())

/** Deterministic shuffle (reverse-interleave) so the input order is never the answer. */
function shuffle<T>(xs: T[]): T[] {
  const out = [...xs].reverse()
  return [...out.filter((_, i) => i % 2 === 0), ...out.filter((_, i) => i % 2 === 1)]
}

describe('sortSeries', () => {
  it('orders axial slices by z, not by instance number or file order', () => {
    const slices = [0, 1, 2, 3, 4, 5].map((i) => ({
      id: i,
      imagePositionPatient: [0, 0, -50 + i * 2.5],
      imageOrientationPatient: [1, 0, 0, 0, 1, 0],
      instanceNumber: 6 - i
    }))
    expect(sortSeries(shuffle(slices)).map((s) => s.id)).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('projects on the slice normal for oblique and sagittal stacks', () => {
    // Sagittal: rows along y, columns along −z → normal along −x.
    const sag = [0, 1, 2, 3].map((i) => ({
      id: i,
      imagePositionPatient: [10 - i * 3, 5 + i * 0.1, 7],
      imageOrientationPatient: [0, 1, 0, 0, 0, -1]
    }))
    expect(sortSeries(shuffle(sag)).map((s) => s.id)).toEqual([0, 1, 2, 3])
    // Oblique 30° about x: positions step along the normal (0, −sin, cos).
    const c = Math.cos(Math.PI / 6)
    const s = Math.sin(Math.PI / 6)
    const obl = [0, 1, 2, 3, 4].map((i) => ({
      id: i,
      imagePositionPatient: [100, -s * i * 4 + (i % 2) * c * 3, c * i * 4 + (i % 2) * s * 3],
      imageOrientationPatient: [1, 0, 0, 0, c, s]
    }))
    expect(sortSeries(shuffle(obl)).map((o) => o.id)).toEqual([0, 1, 2, 3, 4])
  })

  it('breaks position ties by instance number and puts slices without geometry last', () => {
    const iop = [1, 0, 0, 0, 1, 0]
    const items = [
      { id: 'b', imagePositionPatient: [0, 0, 5], imageOrientationPatient: iop, instanceNumber: 2 },
      { id: 'x', instanceNumber: 1 },
      { id: 'a', imagePositionPatient: [0, 0, 5], imageOrientationPatient: iop, instanceNumber: 1 },
      { id: 'z', imagePositionPatient: [0, 0, 1], imageOrientationPatient: iop, instanceNumber: 9 },
      { id: 'y', instanceNumber: 3 }
    ]
    expect(sortSeries(items).map((i) => i.id)).toEqual(['z', 'a', 'b', 'x', 'y'])
  })

  it('falls back to instance number without orientation, and does not mutate its input', () => {
    const items = [
      { n: 3, instanceNumber: 3 },
      { n: 1, instanceNumber: 1 },
      { n: 2, instanceNumber: 2 }
    ]
    const copy = [...items]
    expect(sortSeries(items).map((i) => i.n)).toEqual([1, 2, 3])
    expect(items).toEqual(copy)
  })

  it('sorts real files by their headers', async () => {
    const { spec } = grey8()
    const files = [4, 2, 0, 3, 1].map((z) =>
      writeImage(scratch.dir, `s${z}.dcm`, {
        ...spec,
        position: [-10, 20, 100 - z * 5],
        orientation: [1, 0, 0, 0, 1, 0],
        instanceNumber: z + 1,
        sopUID: `1.2.3.${z}`
      })
    )
    const headers = await Promise.all(files.map((f) => readImageHeader(f)))
    expect(sortSeries(headers).map((h) => h.sopInstanceUID)).toEqual([
      '1.2.3.4',
      '1.2.3.3',
      '1.2.3.2',
      '1.2.3.1',
      '1.2.3.0'
    ])
  })
})

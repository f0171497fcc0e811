import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeDicom } from '../../../src/main/imaging'
import { groupSeries } from '../../../src/main/imaging/files/group-series'
import { readEntry } from '../../../src/main/imaging/files/read-entry'
import { slicePlaneOf } from '../../../src/shared/display/reference-line'
import { actionForKey, SHORTCUT_HELP } from '../../../src/renderer/src/viewer/shortcuts'
import { ctSliceBytes, STUDY_UID, tempDir } from './fixtures'

/** Compare mode needs each listed slice's plane and each series' study and frame of reference. */
const tmp = tempDir('compare-listing')
afterAll(() => tmp.cleanup())

const FRAME = '1.2.826.0.1.3680043.10.1419.99.52'

/** A sagittal slice: 3 rows × 5 columns, rows 0.8 mm apart, columns 0.6 mm apart. */
function writeSagittal(name: string, withGeometry: boolean): string {
  const p = path.join(tmp.dir, name)
  fs.writeFileSync(
    p,
    encodeDicom([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
      { tag: 0x00080060, vr: 'CS', value: 'MR' },
      { tag: 0x0020000d, vr: 'UI', value: STUDY_UID },
      { tag: 0x0020000e, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.99.${withGeometry ? 1 : 2}` },
      ...(withGeometry
        ? [
            { tag: 0x00200032, vr: 'DS' as const, value: [12.5, -100, 80] },
            { tag: 0x00200037, vr: 'DS' as const, value: [0, 1, 0, 0, 0, -1] },
            { tag: 0x00200052, vr: 'UI' as const, value: FRAME },
            { tag: 0x00280030, vr: 'DS' as const, value: [0.8, 0.6] }
          ]
        : []),
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: 3 },
      { tag: 0x00280011, vr: 'US', value: 5 },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x7fe00010, vr: 'OW', value: new Int16Array(15) }
    ])
  )
  return p
}

describe('the viewer listing carries slice geometry for compare mode', () => {
  it('lists Image Orientation, Pixel Spacing, Study and Frame of Reference UIDs, read from the files', async () => {
    const scanned = await readEntry(writeSagittal('sag.dcm', true), true)
    expect(scanned?.entry).toMatchObject({
      imagePositionPatient: [12.5, -100, 80],
      imageOrientationPatient: [0, 1, 0, 0, 0, -1],
      pixelSpacing: [0.8, 0.6],
      width: 5,
      height: 3
    })
    const [group] = groupSeries([scanned!])
    expect(group.studyInstanceUid).toBe(STUDY_UID)
    expect(group.frameOfReferenceUid).toBe(FRAME)
    const e = group.entries[0]
    expect(slicePlaneOf({ ...e, rows: e.height, columns: e.width })).toEqual({
      position: [12.5, -100, 80],
      rowDir: [0, 1, 0],
      colDir: [0, 0, -1],
      spacing: [0.8, 0.6],
      rows: 3,
      columns: 5
    })
  })

  it('leaves them out when the file has none, so compare mode falls back to slice numbers', async () => {
    const scanned = await readEntry(writeSagittal('bare.dcm', false), true)
    expect(scanned?.entry.imageOrientationPatient).toBeUndefined()
    expect(scanned?.entry.pixelSpacing).toBeUndefined()
    const [group] = groupSeries([scanned!])
    expect(group.frameOfReferenceUid).toBeUndefined()
    const e = group.entries[0]
    expect(slicePlaneOf({ ...e, rows: e.height, columns: e.width })).toBeNull()
  })

  it('reads the CT fixture (no Frame of Reference UID) with its axial plane', async () => {
    const p = path.join(tmp.dir, 'ct.dcm')
    fs.writeFileSync(p, ctSliceBytes({ rows: 4, columns: 6, slice: 2 }))
    const scanned = await readEntry(p, true)
    expect(scanned?.entry.imageOrientationPatient).toEqual([1, 0, 0, 0, 1, 0])
    expect(scanned?.entry.pixelSpacing).toEqual([0.5, 0.5])
    expect(groupSeries([scanned!])[0].frameOfReferenceUid).toBeUndefined()
  })
})

describe('compare mode keys', () => {
  const key = (k: string) => ({ key: k, code: '', shiftKey: false, ctrlKey: false, metaKey: false, altKey: false })
  it('maps C to compare and S to linking scrolling, and documents both', () => {
    expect(actionForKey(key('c'))).toEqual({ kind: 'compare' })
    expect(actionForKey(key('C'))).toEqual({ kind: 'compare' })
    expect(actionForKey(key('s'))).toEqual({ kind: 'sync' })
    const keys = SHORTCUT_HELP.map((s) => s.keys)
    expect(keys).toContain('C')
    expect(keys).toContain('S')
  })
})

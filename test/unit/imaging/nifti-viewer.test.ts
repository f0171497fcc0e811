import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiClient } from '../../../src/shared/api-client'
import type { Api } from '../../../src/shared/contract'
import { createCore, type Core } from '../../../src/main/services'
import { scratchDir } from '../../fixtures/dicom/corpus'
import { makeVolumes, type NiftiCase } from '../../fixtures/nifti/volumes'
import { directTransport } from '../../helpers/direct-transport'

/**
 * The viewer's path to a volume through the real dispatcher: a folder of NIfTI files lists each volume as
 * its own group (the .img half of a pair not twice), and getFrame cuts any plane with the file's scaled
 * values, voxel-size spacing and orientation labels, matching nibabel.
 */

const data = scratchDir('nifti-viewer')
const ws = scratchDir('nifti-viewer-ws')
let core: Core
let api: Api
let cases: NiftiCase[] = []

beforeAll(() => {
  cases = makeVolumes(data.dir)
  fs.writeFileSync(data.file('broken.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0]))
  core = createCore(ws.dir, 'cli')
  api = createApiClient(directTransport(core))
}, 120_000)
afterAll(async () => {
  await core?.close()
  data.cleanup()
  ws.cleanup()
})

describe('volumes in the viewer', () => {
  it('lists each volume once, as its own group, with its geometry; a broken one with the reason', async () => {
    const opened = await api.imaging.openPaths({ paths: [data.dir] })
    const volumes = opened.series.flatMap((g) => g.entries).filter((e) => e.kind === 'nifti')
    expect(volumes.map((e) => e.name).sort()).toEqual([...cases.map((c) => c.file), 'broken.nii.gz'].sort())
    const broken = volumes.find((e) => e.name === 'broken.nii.gz')!
    expect(broken.problem?.message).toContain('broken.nii.gz')
    const c = cases.find((x) => x.name === 'i32-qform-permuted')!
    const entry = volumes.find((e) => e.name === c.file)!
    expect(entry.volume).toMatchObject({ dims: c.dims, orientation: c.axcodes, dataType: 'int32' })
    expect(entry.volume!.slices).toEqual({
      axial: c.planes.axial.slices,
      coronal: c.planes.coronal.slices,
      sagittal: c.planes.sagittal.slices
    })
    expect([entry.width, entry.height, entry.frames]).toEqual([
      c.planes.axial.width,
      c.planes.axial.height,
      c.planes.axial.slices
    ])
    const group = opened.series.find((g) => g.entries[0] === entry || g.entries.includes(entry))!
    expect(group.entries).toHaveLength(1)
    expect(group.label).toContain(c.axcodes)
  })

  it('getFrame cuts every plane with file units, spacing and labels; planes switch without re-reading', async () => {
    const c = cases.find((x) => x.name === 'i16-lps-scaled')!
    const file = path.join(fs.realpathSync(data.dir), c.file)
    for (const plane of ['axial', 'coronal', 'sagittal'] as const) {
      const want = c.planes[plane]
      const f = await api.imaging.getFrame({ path: file, frame: want.index, plane })
      expect([f.width, f.height, f.frames, f.frame, f.plane]).toEqual([
        want.width,
        want.height,
        want.slices,
        want.index,
        plane
      ])
      expect(f.orientationLabels).toEqual({
        left: want.labels[0],
        right: want.labels[1],
        top: want.labels[2],
        bottom: want.labels[3]
      })
      expect(f.pixelSpacing!.map((x) => +x.toFixed(4))).toEqual(want.spacing.map((x) => +x.toFixed(4)))
      expect(Array.from(f.modality)).toEqual(want.values)
      expect(f.integer).toBe(true)
    }
    const axial = await api.imaging.getFrame({ path: file, frame: 0 })
    expect(axial.plane).toBe('axial')
  })

  it('refuses a plane for a file that is not a volume, and a slice past the end', async () => {
    const c = cases.find((x) => x.name === 'u8-ras')!
    const file = path.join(fs.realpathSync(data.dir), c.file)
    await expect(api.imaging.getFrame({ path: file, frame: 99, plane: 'sagittal' })).rejects.toThrow(
      /sagittal slice 99 does not exist/
    )
    const txt = path.join(fs.realpathSync(data.dir), 'manifest.json')
    await expect(api.imaging.getFrame({ path: txt, frame: 0, plane: 'axial' })).rejects.toThrow(/not a NIfTI volume/)
  })
})

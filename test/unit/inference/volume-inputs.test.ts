import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { aggregate, type AggregatableRow } from '../../../src/main/inference/aggregate/aggregate'
import { listFolderInputs } from '../../../src/main/inference/input/list-inputs'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** A patient folder holding the volumes make_import_volumes.py writes (nibabel) and one broken volume. */
function patientFolder(): { dir: string; volumes: { rel: string; slices: number }[] } {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'np-vol-classify-'))
  dirs.push(dir)
  const out = execFileSync(
    '/usr/bin/python3',
    [path.join(__dirname, '../../fixtures/nifti/make_import_volumes.py'), dir],
    { encoding: 'utf8', maxBuffer: 16 << 20 }
  )
  fs.writeFileSync(path.join(dir, 'normal', 'broken.nii'), Buffer.alloc(100))
  return { dir, volumes: JSON.parse(out) as { rel: string; slices: number }[] }
}

describe('classification inputs from NIfTI volumes', () => {
  it('lists one input per axial slice, each volume its own series, and aggregates one verdict per volume', async () => {
    const { dir, volumes } = patientFolder()
    const found = await listFolderInputs(dir)
    // The .img half of the pair is not listed again; the broken volume is a failure naming the file.
    expect(found.failures.map((f) => f.path)).toEqual([path.join(dir, 'normal', 'broken.nii')])
    expect(found.failures[0].message).toMatch(/broken\.nii/)
    expect(found.inputs).toHaveLength(volumes.reduce((n, v) => n + v.slices, 0))
    for (const v of volumes) {
      const mine = found.inputs.filter((i) => i.path === path.join(dir, ...v.rel.split('/')))
      expect(mine.map((i) => i.frame)).toEqual([...Array(v.slices).keys()])
      expect(new Set(mine.map((i) => `${i.kind} ${i.seriesKey} ${i.seriesLabel}`))).toEqual(
        new Set([`nifti volume:${v.rel} ${v.rel}`])
      )
    }
    // Two classes; every slice of tumor/head votes class 1, the others class 0.
    const rows: AggregatableRow[] = found.inputs.map((i) => {
      const p1 = i.seriesKey === 'volume:tumor/head.nii.gz' ? 0.8 : 0.3
      return { ...i, predictedIndex: p1 > 0.5 ? 1 : 0, lowConfidence: false, probabilities: [1 - p1, p1] }
    })
    const perVolume = aggregate(rows, ['normal', 'tumor'], 'series')
    expect(perVolume.map((g) => [g.label, g.count, g.majority, g.agreement])).toEqual(
      volumes
        .map((v) => [v.rel, v.slices, v.rel === 'tumor/head.nii.gz' ? 'tumor' : 'normal', 1])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    )
  })

  it('slices volumes along the chosen plane: slice counts and one verdict per volume follow the plane', async () => {
    const { dir, volumes } = patientFolder()
    // Voxel grids from make_import_volumes.py: head 12×10×8 (RAS), pair 12×10×6 (LAS), flat 10×10×5; all
    // axis-aligned, so coronal slices count the y voxels and sagittal slices the x voxels.
    const dims: Record<string, [number, number, number]> = {
      'tumor/head.nii.gz': [12, 10, 8],
      'tumor/pair.hdr': [12, 10, 6],
      'normal/flat.nii': [10, 10, 5]
    }
    expect(Object.keys(dims).sort()).toEqual(volumes.map((v) => v.rel).sort())
    for (const [plane, axis, size] of [
      ['coronal', 1, (d: number[]) => [d[0], d[2]]],
      ['sagittal', 0, (d: number[]) => [d[1], d[2]]]
    ] as const) {
      const found = await listFolderInputs(dir, plane)
      for (const v of volumes) {
        const mine = found.inputs.filter((i) => i.path === path.join(dir, ...v.rel.split('/')))
        expect(
          mine.map((i) => i.frame),
          `${plane} ${v.rel}`
        ).toEqual([...Array(dims[v.rel][axis]).keys()])
        // Each slice has the plane's size: width × height of the displayed plane.
        expect(new Set(mine.map((i) => `${i.width}×${i.height}`))).toEqual(new Set([size(dims[v.rel]).join('×')]))
      }
      const rows: AggregatableRow[] = found.inputs.map((i) => ({
        ...i,
        predictedIndex: i.seriesKey === 'volume:tumor/head.nii.gz' ? 1 : 0,
        lowConfidence: false,
        probabilities: [0.5, 0.5]
      }))
      const perVolume = aggregate(rows, ['normal', 'tumor'], 'series')
      expect(perVolume.map((g) => [g.label, g.count, g.majority])).toEqual(
        volumes
          .map((v) => [v.rel, dims[v.rel][axis], v.rel === 'tumor/head.nii.gz' ? 'tumor' : 'normal'])
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      )
    }
  })
})

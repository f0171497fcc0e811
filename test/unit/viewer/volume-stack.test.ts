import { describe, expect, it } from 'vitest'
import type { FrameData, ImageEntry } from '../../../src/shared/contract/imaging'
import { FrameStore } from '../../../src/renderer/src/viewer/frame-store'
import { buildStack } from '../../../src/renderer/src/viewer/stack'

const volume: ImageEntry = {
  path: '/d/head.nii.gz',
  name: 'head.nii.gz',
  kind: 'nifti',
  width: 4,
  height: 5,
  frames: 3,
  volume: {
    dims: [4, 5, 3],
    voxelSizeMm: [1, 1, 2],
    dataType: 'int16',
    orientation: 'RAS',
    slices: { axial: 3, coronal: 5, sagittal: 4 }
  }
}
const dicom: ImageEntry = { path: '/d/a.dcm', name: 'a.dcm', kind: 'dicom', width: 4, height: 4, frames: 2 }

describe('viewer stacks of volume planes', () => {
  it('lists a volume’s slices along the chosen plane, other files by frame', () => {
    const group = { key: 'k', label: 'l', entries: [volume, dicom] }
    for (const plane of ['axial', 'coronal', 'sagittal'] as const) {
      const stack = buildStack(group, plane)
      const n = volume.volume!.slices[plane]
      expect(stack.map((s) => [s.entry.name, s.frame, s.plane])).toEqual([
        ...[...Array(n).keys()].map((k) => ['head.nii.gz', k, plane]),
        ['a.dcm', 0, undefined],
        ['a.dcm', 1, undefined]
      ])
    }
  })

  it('caches slice k of each plane apart and asks main for the plane', async () => {
    const asked: string[] = []
    const store = new FrameStore(async (path, frame, plane) => {
      asked.push(`${plane ?? '-'} ${frame}`)
      return { path, frame, plane, modality: new Float32Array(4) } as unknown as FrameData
    })
    const a = await store.get(volume.path, 1, 'axial')
    const c = await store.get(volume.path, 1, 'coronal')
    expect(a).not.toBe(c)
    expect(store.peek(volume.path, 1, 'coronal')).toBe(c)
    expect(store.peek(volume.path, 1, 'sagittal')).toBeUndefined()
    await store.get(volume.path, 1, 'axial')
    expect(asked).toEqual(['axial 1', 'coronal 1'])
  })
})

import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiClient } from '../../../src/shared/api-client'
import type { Api } from '../../../src/shared/contract'
import { createCore, type Core } from '../../../src/main/services'
import { segFramesForSlice, type SliceRef } from '../../../src/main/imaging/seg/map-frames'
import { readDicomFile } from '../../../src/main/imaging/dicom/parse'
import { readSegIndex } from '../../../src/main/imaging/seg/seg-header'
import { dicomLabToRgb } from '../../../src/main/imaging/seg/cielab'
import { grey8, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { directTransport } from '../../helpers/direct-transport'

/**
 * DICOM SEG as an overlay on the series it labels. pydicom writes a 4-slice MR series and a BINARY SEG of two
 * overlapping segments whose frames (stored shuffled) name their source slices by SOP Instance UID, plus a
 * variant that only gives Plane Positions; the script states the label map expected on every slice. The SEG is
 * validated with dicom3tools' dciodvfy; the mapping and masks go through the imaging service as the viewer
 * calls it.
 */

interface Manifest {
  slices: { path: string; sop: string; z: number }[]
  seg: string
  positionsSeg: string
  expected: { labels: number[]; present: number[] }[]
}

const scratch = scratchDir('seg-overlay')
const ws = scratchDir('seg-overlay-ws')
let m: Manifest
let core: Core
let api: Api

beforeAll(() => {
  const script = `${__dirname}/../../fixtures/pixel-data/make_seg_series.py`
  m = JSON.parse(execFileSync('/usr/bin/python3', [script, fs.realpathSync(scratch.dir)], { encoding: 'utf8' }))
  core = createCore(ws.dir, 'cli')
  api = createApiClient(directTransport(core))
}, 60_000)
afterAll(() => {
  core?.close()
  scratch.cleanup()
  ws.cleanup()
})

describe('DICOM SEG over its referenced series', () => {
  it('is a valid Segmentation object per dciodvfy', () => {
    const out = spawnSync('dciodvfy', [m.seg], { encoding: 'utf8' })
    const text = `${out.stdout}${out.stderr}`
    expect(text).toMatch(/Segmentation/)
    expect(text).not.toMatch(/^Error/m)
  })

  it('reads segments, colours and each frame’s source slice from the header', async () => {
    const seg = readSegIndex((await readDicomFile(m.seg)).dataSet, m.seg)
    expect(seg.segments.map((s) => [s.number, s.label, s.colorFromFile])).toEqual([
      [1, 'tumour', true],
      [2, 'oedema', false]
    ])
    // Recommended Display CIELab Value of sRGB red comes back as red.
    const [r, g, b] = seg.segments[0].color
    expect(r).toBeGreaterThanOrEqual(250)
    expect(Math.max(g, b)).toBeLessThanOrEqual(8)
    expect(seg.referencedSeries).toEqual(['1.2.826.0.1.3680043.10.1419.67.2'])
    // Stored order [2, 0, 3, 1] of (segment, slice) pairs (1,1) (1,2) (2,2) (2,3).
    expect(seg.frames.map((f) => [f.segment, f.sources[0].sopInstanceUid])).toEqual([
      [2, m.slices[2].sop],
      [1, m.slices[1].sop],
      [2, m.slices[3].sop],
      [1, m.slices[2].sop]
    ])
  })

  it('maps frames by SOP Instance UID, falls back to position only for frames without sources', () => {
    const frames = [
      { segment: 1, sources: [{ sopInstanceUid: 'A' }], position: [0, 0, 0] },
      { segment: 1, sources: [], position: [0, 0, 3] },
      { segment: 2, sources: [{ sopInstanceUid: 'M', frame: 2 }] }
    ]
    const at = (s: SliceRef) => segFramesForSlice(frames, s)
    expect(at({ sopInstanceUid: 'A', frame: 0, position: [0, 0, 3] })).toEqual({ frames: [0, 1], match: 'reference' })
    // A frame with a source never matches another image by position.
    expect(at({ sopInstanceUid: 'B', frame: 0, position: [0, 0, 0] })).toEqual({ frames: [], match: 'none' })
    expect(at({ sopInstanceUid: 'B', frame: 0, position: [0, 0, 3.004] })).toEqual({ frames: [1], match: 'position' })
    expect(at({ sopInstanceUid: 'B', frame: 0, position: [0, 0, 3.02] })).toEqual({ frames: [], match: 'none' })
    // Referenced Frame Number (0008,1160) is 1-based.
    expect(at({ sopInstanceUid: 'M', frame: 1 }).frames).toEqual([2])
    expect(at({ sopInstanceUid: 'M', frame: 0 }).frames).toEqual([])
  })

  it('opening the folder links the SEG to its series; every slice gets the expected masks', async () => {
    const opened = await api.imaging.openPaths({ paths: [path.dirname(m.seg)] })
    const mr = opened.series.find((s) => s.key === 'series:1.2.826.0.1.3680043.10.1419.67.2')!
    expect(mr.entries.map((e) => e.path)).toEqual(m.slices.map((s) => s.path))
    expect(mr.segmentations?.map((s) => [s.name, s.frames, s.segments.map((x) => x.label)])).toEqual([
      ['seg.dcm', 4, ['tumour', 'oedema']]
    ])
    // The SEG is still listed on its own, and nothing links to itself.
    const own = opened.series.find((s) => s.entries.some((e) => e.path === m.seg))!
    expect(own.segmentations).toBeUndefined()
    for (const [k, sl] of m.slices.entries()) {
      const got = await api.imaging.getSegmentation({ seg: m.seg, image: sl.path, frame: 0 })
      expect([got.width, got.height]).toEqual([32, 24])
      expect(Array.from(got.labels), `slice ${k}`).toEqual(m.expected[k].labels)
      expect(got.present).toEqual(m.expected[k].present)
      expect(got.match).toBe(k === 0 ? 'none' : 'reference')
    }
  })

  it('a SEG without source references maps by Image Position (Patient)', async () => {
    await api.imaging.openPaths({ paths: [path.dirname(m.positionsSeg), path.dirname(m.seg)] })
    for (const [k, sl] of m.slices.entries()) {
      const got = await api.imaging.getSegmentation({ seg: m.positionsSeg, image: sl.path, frame: 0 })
      expect(Array.from(got.labels), `slice ${k}`).toEqual(m.expected[k].labels)
      expect(got.match).toBe(k === 0 ? 'none' : 'position')
    }
  })

  it('refuses a non-SEG and a SEG on another grid with a message naming the file', async () => {
    await expect(
      api.imaging.getSegmentation({ seg: m.slices[0].path, image: m.slices[1].path, frame: 0 })
    ).rejects.toThrow(/IM1\.dcm: not a DICOM SEG/)
    const other = writeImage(path.dirname(m.slices[0].path), 'small.dcm', grey8().spec)
    await expect(api.imaging.getSegmentation({ seg: m.seg, image: other, frame: 0 })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(/seg\.dcm: SEG is 32×24 pixels but .*small\.dcm is \d+×\d+/)
    })
    await expect(api.imaging.getSegmentation({ seg: m.seg, image: m.slices[0].path, frame: 3 })).rejects.toThrow(
      /IM1\.dcm: frame 3 does not exist/
    )
  })

  it('refuses paths the user has not opened (FORBIDDEN), like every imaging call', async () => {
    const ws2 = scratchDir('seg-overlay-ws2')
    const fresh = createCore(ws2.dir, 'cli')
    try {
      const api2 = createApiClient(directTransport(fresh))
      await expect(
        api2.imaging.getSegmentation({ seg: m.seg, image: m.slices[1].path, frame: 0 })
      ).rejects.toMatchObject({
        code: 'FORBIDDEN'
      })
    } finally {
      fresh.close()
      ws2.cleanup()
    }
  })

  it('converts CIELab white and black to sRGB white and black', () => {
    expect(dicomLabToRgb([65535, 32896, 32896])).toEqual([255, 255, 255])
    expect(dicomLabToRgb([0, 32896, 32896])).toEqual([0, 0, 0])
  })
})

import { execFileSync, spawnSync } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { decodeImage, readImageHeader } from '../../../src/main/imaging'
import { readEntry } from '../../../src/main/imaging/files/read-entry'
import { buildStack } from '../../../src/renderer/src/viewer/stack'
import { scratchDir } from '../../fixtures/dicom/corpus'

/**
 * Enhanced multi-frame MR (Legacy Converted Enhanced MR Image Storage) built with pydicom from a single-frame
 * series written in the same script, validated with dicom3tools' dciodvfy. Frames are stored shuffled, each
 * with its own Plane Position, Pixel Value Transformation and Frame VOI LUT: every frame must decode to its
 * source slice's modality values and window, and the display order must follow the positions.
 */

interface Manifest {
  file: string
  spacing: [number, number]
  frames: {
    frame: number
    source: string
    slice: number
    position: number[]
    slope: number
    intercept: number
    window: [number, number]
  }[]
}

const SCRIPT = path.resolve(__dirname, '../../fixtures/enhanced/make_enhanced.py')
const scratch = scratchDir('enhanced')
let good: Manifest
let broken: Manifest

function build(...args: string[]): Manifest {
  return JSON.parse(execFileSync('/usr/bin/python3', [SCRIPT, scratch.dir, ...args], { encoding: 'utf8' })) as Manifest
}

beforeAll(() => {
  good = build()
  broken = build('--drop-per-frame-item')
}, 60_000)
afterAll(() => scratch.cleanup())

describe('enhanced multi-frame DICOM', () => {
  it('is a valid enhanced object per dciodvfy; the one with missing per-frame items is not', () => {
    const ok = spawnSync('dciodvfy', [good.file], { encoding: 'utf8' })
    const report = ok.stdout + ok.stderr
    expect(report).toContain('LegacyConvertedEnhancedMRImage')
    expect(report.split('\n').filter((l) => l.startsWith('Error'))).toEqual([])
    const bad = spawnSync('dciodvfy', [broken.file], { encoding: 'utf8' })
    expect(bad.stdout + bad.stderr).toMatch(
      /Error - Number of items in PerFrameFunctionalGroupsSequence does not match/
    )
  })

  it('decodes every frame to its source slice: rescale, window and spacing from the functional groups', async () => {
    for (const f of good.frames) {
      const frame = await decodeImage(good.file, { frame: f.frame })
      const source = await decodeImage(path.join(scratch.dir, 'single', f.source))
      expect(frame.frames).toBe(good.frames.length)
      expect(Array.from(frame.modality), `frame ${f.frame}`).toEqual(Array.from(source.modality))
      expect(frame.windows[0]).toMatchObject({ center: f.window[0], width: f.window[1] })
      expect(frame.pixelSpacing).toEqual(good.spacing)
      expect(frame.units).toBe('US')
    }
    // The rescale differs between frames, so a first-frame-only or shared rescale would fail above.
    expect(new Set(good.frames.map((f) => f.slope)).size).toBe(good.frames.length)
  })

  it('orders frames by their Plane Position along the normal, in the header and the viewer stack', async () => {
    const bySlice = [...good.frames].sort((a, b) => a.position[2] - b.position[2]).map((f) => f.frame)
    expect(bySlice).not.toEqual(good.frames.map((f) => f.frame))
    const h = await readImageHeader(good.file)
    expect(h.frameOrder).toEqual(bySlice)
    expect(h.imagePositionPatient).toEqual(good.frames[0].position)
    const scanned = await readEntry(good.file, true)
    expect(scanned!.entry.frameOrder).toEqual(bySlice)
    const stack = buildStack({ key: 'k', label: 'l', entries: [scanned!.entry] })
    expect(stack.map((s) => s.frame)).toEqual(bySlice)
  })

  it('a Per-frame Functional Groups Sequence with missing items is a clear error naming file and field', async () => {
    const expected =
      /enhanced-missing-items\.dcm: Per-frame Functional Groups Sequence \(5200,9230\) has 4 item\(s\) for Number of Frames \(0028,0008\) 6/
    await expect(readImageHeader(broken.file)).rejects.toThrow(expected)
    const err = await decodeImage(broken.file, { frame: 0 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('CORRUPT')
    expect((err as AppError).message).toMatch(expected)
    const scanned = await readEntry(broken.file, false)
    expect(scanned!.entry.problem?.message).toMatch(expected)
  })
})

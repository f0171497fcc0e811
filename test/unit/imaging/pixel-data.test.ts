import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary, readImageHeader, renderWindowed } from '../../../src/main/imaging'
import { AppError } from '../../../src/shared/errors'
import { decodeParsedDicom } from '../../../src/main/imaging/dicom/decode'
import { parseDicomFull } from '../../../src/main/imaging/dicom/parse'
import { scratchDir } from '../../fixtures/dicom/corpus'
import { rng } from '../../helpers/prng'

/**
 * Pixel data beyond integer samples with a linear rescale, written by pydicom, which also states the
 * expected values: Float (7FE0,0008) and Double Float (7FE0,0009) Pixel Data (little and big endian), a
 * non-linear Modality LUT Sequence (0028,3000), and 1-bit pixels (a BINARY SEG).
 */

interface FloatFile {
  file: string
  frames: (number | null)[][]
}

const scratch = scratchDir('float')
let files: Record<'float32' | 'float64', FloatFile>

beforeAll(() => {
  const script = `${__dirname}/../../fixtures/pixel-data/make_float.py`
  files = JSON.parse(execFileSync('/usr/bin/python3', [script, scratch.dir], { encoding: 'utf8' }))
}, 60_000)
afterAll(() => scratch.cleanup())

describe('float pixel data', () => {
  it('decodes every frame of Float Pixel Data to pydicom’s values, NaN kept as NaN', async () => {
    const f = files.float32
    for (let frame = 0; frame < f.frames.length; frame++) {
      const img = await decodeImage(f.file, { frame })
      expect([img.width, img.height, img.frames]).toEqual([30, 20, 2])
      expect(img.stored).toBeInstanceOf(Float32Array)
      f.frames[frame].forEach((v, i) => {
        if (v === null) expect(Number.isNaN(img.modality[i])).toBe(true)
        else expect(img.modality[i]).toBe(Math.fround(v))
      })
    }
  })

  it('derives a window from the finite values when the file has none, even for values far below 1', async () => {
    const small = await decodeImage(files.float32.file, { frame: 1 })
    const w = small.windows[0]
    expect(w.explanation).toBe('AUTO 1-99%')
    expect(w.width).toBeGreaterThan(0)
    expect(w.width).toBeLessThan(0.01)
    // The sine has 30 distinct values (one per column): the window must keep them apart, not render one grey.
    expect(new Set(renderWindowed(small)).size).toBeGreaterThan(20)
  })

  it('reads Double Float Pixel Data in big endian with the file’s rescale and window', async () => {
    const f = files.float64
    const img = await decodeImage(f.file)
    expect(img.stored).toBeInstanceOf(Float64Array)
    f.frames[0].forEach((v, i) => expect(img.modality[i]).toBeCloseTo(v! * 2 - 1, 4))
    expect(img.windows[0]).toMatchObject({ center: 10, width: 40 })
    const s = await dicomSummary(f.file)
    expect([s.bitsAllocated, s.rescaleSlope, s.rescaleIntercept, s.transferSyntaxName]).toEqual([
      64,
      2,
      -1,
      'Explicit VR Big Endian'
    ])
  })

  it('a truncated float pixel element is a clear error naming the file', async () => {
    const bytes = fs.readFileSync(files.float32.file)
    const cut = scratch.file('cut.dcm')
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 3000))
    await expect(decodeImage(cut, { frame: 1 })).rejects.toThrow(/cut\.dcm/)
  })
})

describe('Modality LUT Sequence (0028,3000)', () => {
  let lut: { file: string; short: string; modality: number[] }
  beforeAll(() => {
    const script = `${__dirname}/../../fixtures/pixel-data/make_modality_lut.py`
    lut = JSON.parse(execFileSync('/usr/bin/python3', [script, scratch.dir], { encoding: 'utf8' }))
  }, 60_000)

  it('maps stored values through the LUT (ends clamped) exactly as pydicom’s apply_modality_lut, units from its type', async () => {
    const img = await decodeImage(lut.file)
    expect(Array.from(img.modality)).toEqual(lut.modality)
    expect(img.units).toBe('HU')
    // Non-linear: no slope/intercept could give these values, and the summary does not claim one.
    const s = await dicomSummary(lut.file)
    expect([s.rescaleSlope, s.rescaleIntercept]).toEqual([1, 0])
    expect(img.windows[0].center).toBeGreaterThan(100)
  })

  it('LUT Data shorter than its descriptor is a clear error naming file and element', async () => {
    await expect(decodeImage(lut.short)).rejects.toThrow(
      /modality-lut-short\.dcm: Modality LUT Data \(0028,3006\) has 256 bytes for 256 entries/
    )
  })
})

describe('Bits Allocated 1: a BINARY DICOM SEG', () => {
  let seg: { file: string; frames: { segment: number; position: number[]; mask: number[] }[] }
  beforeAll(() => {
    const script = `${__dirname}/../../fixtures/pixel-data/make_seg.py`
    seg = JSON.parse(execFileSync('/usr/bin/python3', [script, scratch.dir], { encoding: 'utf8' }))
  }, 60_000)

  it('unpacks every frame (19×23 = 437 bits, so frames start mid-byte) to pydicom’s mask', async () => {
    expect((19 * 23) % 8).not.toBe(0)
    for (const [frame, f] of seg.frames.entries()) {
      const img = await decodeImage(seg.file, { frame })
      expect(Array.from(img.stored), `frame ${frame}`).toEqual(f.mask)
      expect(img.pixelSpacing).toEqual([0.8, 0.8])
      // Shown as a mask: 0 black, 1 white.
      const shown = renderWindowed(img)
      f.mask.forEach((v, i) => expect(shown[i]).toBe(v ? 255 : 0))
    }
    const s = await dicomSummary(seg.file, 2)
    expect([s.bitsAllocated, s.bitsStored, s.pixels.max]).toEqual([1, 1, 1])
  })

  it('lists its frames by plane position, and a truncated mask is a clear error', async () => {
    const h = await readImageHeader(seg.file)
    const byPosition = seg.frames
      .map((f, i) => ({ i, z: f.position[2] }))
      .sort((a, b) => a.z - b.z || a.i - b.i)
      .map((x) => x.i)
    expect(h.frameOrder).toEqual(byPosition)
    const bytes = fs.readFileSync(seg.file)
    const cut = scratch.file('seg-cut.dcm')
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100))
    await expect(decodeImage(cut, { frame: 5 })).rejects.toThrow(/seg-cut\.dcm: .*truncated/)
  })
})

describe('fuzzing the new pixel paths', () => {
  it('mutated float, Modality LUT and 1-bit files end in an image or an AppError naming the file', async () => {
    const seeds = ['float32.dcm', 'float64-be.dcm', 'modality-lut.dcm', 'seg.dcm'].map((n) =>
      fs.readFileSync(scratch.file(n))
    )
    const r = rng(20261207)
    const counts = { decoded: 0, errors: 0 }
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(seeds[i % seeds.length])
      const kind = Math.floor(r() * 3)
      const at = () => Math.floor(r() * b.length)
      let bytes = b
      if (kind === 0) bytes = b.subarray(0, Math.floor(r() * b.length))
      else if (kind === 1) for (let k = 0; k < 1 + r() * 16; k++) b[at()] ^= 1 << Math.floor(r() * 8)
      else for (let k = 0; k < 1 + r() * 32; k++) b[at()] = Math.floor(r() * 256)
      const name = `fuzz-${i}.dcm`
      try {
        const parsed = parseDicomFull(bytes, name)
        const frames = Math.max(1, Math.min(8, Number(parsed.dataSet.string('x00280008') ?? 1) || 1))
        const res = await decodeParsedDicom(parsed, i % frames)
        expect(res.image.modality.length).toBe(res.image.width * res.image.height * res.image.samplesPerPixel)
        counts.decoded++
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`case ${i} threw a non-AppError: ${String(err)}`)
        expect(err.message).toContain(name)
        counts.errors++
      }
    }
    expect(counts.decoded).toBeGreaterThan(100)
    expect(counts.errors).toBeGreaterThan(100)
  }, 120_000)
})

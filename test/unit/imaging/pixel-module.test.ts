import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary, renderWindowed } from '../../../src/main/imaging'
import { AUTO_WINDOW } from '../../../src/main/imaging/voi'
import { asStored } from '../../fixtures/dicom/build'
import { COLS, grey12, grey8, maxAbsDiff, ROWS, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { grayPhantom } from '../../fixtures/dicom/phantom'
import { dcm2pnm, transcode, tool } from '../../fixtures/dicom/tools'

const scratch = scratchDir('pixmod')
afterAll(() => scratch.cleanup())

describe('Bits Stored / High Bit', () => {
  const { values, spec } = grey12()

  it('drops junk above High Bit (e.g. embedded overlay bits)', async () => {
    const dirty = Uint16Array.from(values, (v, i) => v | ((i % 3) << 13) | (i % 2 ? 0x1000 : 0))
    const file = writeImage(scratch.dir, 'junk.dcm', { ...spec, pixels: dirty })
    const img = await decodeImage(file)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
  })

  it('shifts values whose High Bit is not Bits Stored − 1', async () => {
    // 12 bits stored in bits 4..15 (High Bit 15), junk in the low nibble.
    const shifted = Uint16Array.from(values, (v, i) => (v << 4) | (i & 0xf))
    const file = writeImage(scratch.dir, 'highbit.dcm', { ...spec, pixels: shifted, highBit: 15 })
    const img = await decodeImage(file)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
  })

  it('sign-extends signed 12-bit values stored without their sign bits', async () => {
    const signed = grayPhantom(COLS, ROWS, { bits: 12, signed: true })
    const raw = Uint16Array.from(signed, (v) => v & 0x0fff)
    const file = writeImage(scratch.dir, 'signed12.dcm', { ...spec, pixels: raw, signed: true })
    const img = await decodeImage(file)
    expect(img.stored).toBeInstanceOf(Int16Array)
    expect(Array.from(img.stored)).toEqual(Array.from(signed))
    const s = await dicomSummary(file)
    expect([s.pixels.min, s.pixels.max]).toEqual([-2048, 2047])
  })

  it('signed 12-bit JPEG Lossless (dcmtk) matches the native decode', async () => {
    const signed = grayPhantom(COLS, ROWS, { bits: 12, signed: true, seed: 9 })
    const file = writeImage(scratch.dir, 'signed12b.dcm', { ...spec, pixels: Int16Array.from(signed), signed: true })
    const jpg = transcode(
      { name: 'sv1', transferSyntaxUID: '1.2.840.10008.1.2.4.70', cmd: 'dcmcjpeg', args: (s, d) => ['+e1', s, d] },
      file,
      scratch.file('signed12b-sv1.dcm')
    )
    expect(Array.from((await decodeImage(jpg)).stored)).toEqual(Array.from(signed))
  })
})

describe('bit depths', () => {
  it('8-bit grey decodes to Uint8Array', async () => {
    const { values, spec } = grey8()
    const img = await decodeImage(writeImage(scratch.dir, 'g8.dcm', spec))
    expect(img.stored).toBeInstanceOf(Uint8Array)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
  })

  it.each([
    ['unsigned', false],
    ['signed', true]
  ])('32-bit %s decodes to 32-bit stored and exact modality values', async (_l, signed) => {
    const values = grayPhantom(COLS, ROWS, { bits: 24, signed })
    const pixels = asStored(values, 32, signed)
    const file = writeImage(scratch.dir, `g32-${signed}.dcm`, {
      rows: ROWS,
      columns: COLS,
      pixels,
      bitsAllocated: 32,
      bitsStored: 32,
      signed
    })
    const img = await decodeImage(file)
    expect(img.stored).toBeInstanceOf(signed ? Int32Array : Uint32Array)
    expect(Array.from(img.stored)).toEqual(Array.from(values))
    expect(img.modality[ROWS * COLS - 1]).toBe(values[ROWS * COLS - 1])
  })
})

describe('rescale, units, inversion', () => {
  const { values, spec } = grey12()

  it('CT rescale gives Hounsfield units', async () => {
    const file = writeImage(scratch.dir, 'ct.dcm', { ...spec, modality: 'CT', rescale: { slope: 1, intercept: -1024 } })
    const img = await decodeImage(file)
    expect(img.units).toBe('HU')
    expect(img.modality[0]).toBe(values[0] - 1024)
    expect(img.modality[123]).toBe(values[123] - 1024)
    expect(img.stored[123]).toBe(values[123])
  })

  it('fractional slope applies, and Rescale Type names the units', async () => {
    const file = writeImage(scratch.dir, 'mr.dcm', { ...spec, rescale: { slope: 0.25, intercept: 10, type: 'US' } })
    const img = await decodeImage(file)
    expect(img.units).toBe('US')
    expect(img.modality[200]).toBeCloseTo(values[200] * 0.25 + 10, 4)
  })

  it('MONOCHROME1 is flagged and renders inverted, like dcm2pnm', async () => {
    const windows = [{ center: 2000, width: 3000 }]
    const m1 = writeImage(scratch.dir, 'm1.dcm', { ...spec, photometric: 'MONOCHROME1', windows })
    const m2 = writeImage(scratch.dir, 'm2.dcm', { ...spec, windows })
    const a = await decodeImage(m1)
    const b = await decodeImage(m2)
    expect(a.invert).toBe(true)
    expect(b.invert).toBe(false)
    const ra = renderWindowed(a)
    const rb = renderWindowed(b)
    expect(Array.from(ra)).toEqual(Array.from(rb, (v) => 255 - v))
    expect(Array.from(renderWindowed(a, undefined, { invert: false }))).toEqual(Array.from(rb))
    const ref = dcm2pnm(m1, scratch.file('m1.pgm'), ['+Wi', '1'])
    expect(maxAbsDiff(ra, ref.data)).toBeLessThanOrEqual(1)
  })
})

describe('VOI windows', () => {
  const { values, spec } = grey12()

  it('keeps every window in file order with explanations; the first is the default', async () => {
    const windows = [
      { center: 40, width: 400, explanation: 'SOFT' },
      { center: 600, width: 2800, explanation: 'BONE' },
      { center: -600, width: 1500, explanation: 'LUNG' }
    ]
    const img = await decodeImage(writeImage(scratch.dir, 'wins.dcm', { ...spec, windows }))
    expect(img.windows).toEqual(windows)
    expect((await dicomSummary(scratch.file('wins.dcm'))).window).toEqual(windows[0])
  })

  it.each(['SIGMOID', 'LINEAR_EXACT'])('reads VOI LUT Function %s', async (fn) => {
    const img = await decodeImage(
      writeImage(scratch.dir, `fn-${fn}.dcm`, { ...spec, windows: [{ center: 2000, width: 1000 }], voiLutFunction: fn })
    )
    expect(img.voiLutFunction).toBe(fn)
  })

  it('derives the 1st–99th percentile window when the file has none', async () => {
    const img = await decodeImage(
      writeImage(scratch.dir, 'nowin.dcm', { ...spec, rescale: { slope: 2, intercept: -100 } })
    )
    // Nearest-rank percentiles: the values at sorted index ⌊q·(n−1)⌋.
    const sorted = Array.from(values).sort((x, y) => x - y)
    const p1 = sorted[Math.floor(0.01 * (sorted.length - 1))] * 2 - 100
    const p99 = sorted[Math.floor(0.99 * (sorted.length - 1))] * 2 - 100
    expect(img.windows).toEqual([{ center: (p1 + p99) / 2, width: p99 - p1, explanation: AUTO_WINDOW }])
    const r = renderWindowed(img)
    expect(r[0]).toBe(0)
    expect(r[ROWS * COLS - 1]).toBe(255)
  })

  it('a flat image still gets a usable window', async () => {
    const flat = new Uint16Array(ROWS * COLS).fill(700)
    const img = await decodeImage(writeImage(scratch.dir, 'flat.dcm', { ...spec, pixels: flat }))
    expect(img.windows[0].center).toBe(700)
    expect(img.windows[0].width).toBeGreaterThanOrEqual(1)
  })

  it('reads rescale and window from the Shared Functional Groups of an enhanced image', async () => {
    const shared = [
      [
        {
          tag: 0x00289145,
          vr: 'SQ',
          value: [
            [
              { tag: 0x00281052, vr: 'DS', value: -1024 },
              { tag: 0x00281053, vr: 'DS', value: 1 }
            ]
          ]
        },
        {
          tag: 0x00289132,
          vr: 'SQ',
          value: [
            [
              { tag: 0x00281050, vr: 'DS', value: 50 },
              { tag: 0x00281051, vr: 'DS', value: 350 }
            ]
          ]
        },
        { tag: 0x00289110, vr: 'SQ', value: [[{ tag: 0x00280030, vr: 'DS', value: [0.5, 0.75] }]] }
      ]
    ]
    const file = writeImage(scratch.dir, 'enhanced.dcm', {
      ...spec,
      modality: 'CT',
      extra: [{ tag: 0x52009229, vr: 'SQ', value: shared }]
    })
    const img = await decodeImage(file)
    expect(img.modality[7]).toBe(values[7] - 1024)
    expect(img.windows[0]).toEqual({ center: 50, width: 350 })
    expect(img.pixelSpacing).toEqual([0.5, 0.75])
    expect(img.units).toBe('HU')
  })
})

describe('multi-frame', () => {
  const frames = [0, 1, 2].map((f) => grayPhantom(COLS, ROWS, { bits: 12, seed: 20 + f }))
  const all = new Uint16Array(ROWS * COLS * 3)
  frames.forEach((f, i) => all.set(f, i * ROWS * COLS))
  const { spec } = grey12()
  const file = writeImage(scratch.dir, 'mf.dcm', { ...spec, pixels: all, frames: 3 })

  it('decodes each native frame', async () => {
    for (let f = 0; f < 3; f++) {
      const img = await decodeImage(file, { frame: f })
      expect(img.frames).toBe(3)
      expect(img.frame).toBe(f)
      expect(Array.from(img.stored)).toEqual(Array.from(frames[f]))
    }
  })

  it.each([
    ['RLE (dcmcrle)', 'dcmcrle', [] as string[]],
    ['JPEG Lossless (dcmcjpeg)', 'dcmcjpeg', ['+el']],
    ['JPEG-LS (dcmcjpls)', 'dcmcjpls', ['+el']],
    ['JPEG 2000 (gdcmconv)', 'gdcmconv', ['--j2k']]
  ])('decodes each frame of %s', async (_l, cmd, opts) => {
    const out = scratch.file(`mf-${cmd}.dcm`)
    tool(cmd, cmd === 'gdcmconv' ? [...opts, '-i', file, '-o', out] : [...opts, file, out])
    for (let f = 0; f < 3; f++) {
      const img = await decodeImage(out, { frame: f })
      expect(maxAbsDiff(img.stored, frames[f])).toBe(0)
    }
  })

  it('splits 1 kB fragments into frames by JPEG markers when the offset table is empty', async () => {
    const out = scratch.file('mf-nobot.dcm')
    tool('dcmcjpeg', ['+el', '-ot', '+fs', '1', file, out])
    for (let f = 0; f < 3; f++) {
      const img = await decodeImage(out, { frame: f })
      expect(maxAbsDiff(img.stored, frames[f])).toBe(0)
    }
  })

  it('uses the Basic Offset Table with several fragments per frame', async () => {
    const out = scratch.file('mf-bot.dcm')
    tool('dcmcjpeg', ['+el', '+ot', '+fs', '1', file, out])
    const img = await decodeImage(out, { frame: 1 })
    expect(maxAbsDiff(img.stored, frames[1])).toBe(0)
  })
})

import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary, encodePng, renderWindowed, type DecodedImage } from '../../../src/main/imaging'
import { COLS, grey12, maxAbsDiff, ROWS, scratchDir, signed16, writeImage } from '../../fixtures/dicom/corpus'
import { dcm2pnm } from '../../fixtures/dicom/tools'

const scratch = scratchDir('render')
afterAll(() => scratch.cleanup())

/** A 1-row grey image holding `values` as modality values. */
function ramp(values: number[], fn: DecodedImage['voiLutFunction'] = 'LINEAR'): DecodedImage {
  return {
    kind: 'dicom',
    width: values.length,
    height: 1,
    frames: 1,
    frame: 0,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    modality: Float32Array.from(values),
    stored: Int16Array.from(values),
    windows: [{ center: 100, width: 51 }],
    voiLutFunction: fn,
    invert: false,
    units: ''
  }
}

describe('VOI LUT functions (PS3.3 C.11.2.1.2)', () => {
  it('LINEAR: c=100, w=51 maps ≤ 74.5 to 0, > 124.5 to 255, ramp between', () => {
    const out = renderWindowed(ramp([74, 74.5, 75, 99.5, 100, 124, 124.5, 125]))
    // y = ((x − (c − 0.5)) / (w − 1) + 0.5) · 255
    const y = (x: number) => Math.round(((x - 99.5) / 50 + 0.5) * 255)
    expect(Array.from(out)).toEqual([0, 0, y(75), y(99.5), y(100), y(124), y(124.5), 255])
    expect(out[3]).toBe(128)
  })

  it('LINEAR_EXACT: c=100, w=50 maps ≤ 75 to 0, > 125 to 255, (x − c)/w + 0.5 between', () => {
    const img = ramp([75, 75.5, 100, 112.5, 125, 125.5], 'LINEAR_EXACT')
    const out = renderWindowed(img, { center: 100, width: 50 })
    expect(Array.from(out)).toEqual([0, Math.round((0.5 / 50) * 255), 128, Math.round(0.75 * 255), 255, 255])
  })

  it('SIGMOID: 255 / (1 + exp(−4 (x − c) / w))', () => {
    const xs = [-1000, 50, 100, 125, 150, 1000]
    const out = renderWindowed(ramp(xs, 'SIGMOID'), { center: 100, width: 50 })
    expect(Array.from(out)).toEqual(xs.map((x) => Math.round(255 / (1 + Math.exp((-4 * (x - 100)) / 50)))))
    expect(out[2]).toBe(128)
  })

  it('uses the default window when none is given, and invert flips', () => {
    const img = ramp([0, 100, 200])
    const mid = Math.round((0.5 / 50 + 0.5) * 255)
    expect(Array.from(renderWindowed(img))).toEqual([0, mid, 255])
    expect(Array.from(renderWindowed(img, undefined, { invert: true }))).toEqual([255, 255 - mid, 0])
  })

  it('rejects an unusable window', () => {
    expect(() => renderWindowed(ramp([1]), { center: 0, width: 0 })).toThrow(/width 0/)
  })
})

describe('against dcmtk', () => {
  it('LINEAR window on a rescaled CT matches dcm2pnm +Wi 1', async () => {
    const { spec } = signed16()
    const file = writeImage(scratch.dir, 'ct.dcm', {
      ...spec,
      rescale: { slope: 1, intercept: -1024 },
      windows: [{ center: 40, width: 4000 }]
    })
    const img = await decodeImage(file)
    const ref = dcm2pnm(file, scratch.file('ct.pgm'), ['+Wi', '1'])
    expect(maxAbsDiff(renderWindowed(img), ref.data)).toBeLessThanOrEqual(1)
  })
})

describe('encodePng', () => {
  it('writes the default-windowed rendering as an 8-bit grey PNG', async () => {
    const { spec } = grey12()
    const img = await decodeImage(writeImage(scratch.dir, 'g.dcm', spec))
    const png = await encodePng(img)
    expect((await sharp(png).metadata()).channels).toBe(1)
    const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height, info.channels]).toEqual([COLS, ROWS, 1])
    expect(Array.from(data)).toEqual(Array.from(renderWindowed(img)))
    const other = await encodePng(img, { center: 1000, width: 100 })
    expect(createHash('sha256').update(other).digest('hex')).not.toBe(createHash('sha256').update(png).digest('hex'))
  })
})

describe('dicomSummary', () => {
  it('reports the pixel module, default window and a hash of little-endian stored values', async () => {
    const { values, spec } = signed16()
    const file = writeImage(scratch.dir, 's.dcm', {
      ...spec,
      windows: [
        { center: 40, width: 400, explanation: 'SOFT' },
        { center: 500, width: 2000 }
      ]
    })
    const s = await dicomSummary(file)
    const le = Buffer.alloc(values.length * 2)
    values.forEach((v, i) => le.writeInt16LE(v, i * 2))
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    expect(s).toMatchObject({
      transferSyntaxUID: '1.2.840.10008.1.2.1',
      rows: ROWS,
      columns: COLS,
      frames: 1,
      frame: 0,
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      photometricInterpretation: 'MONOCHROME2',
      samplesPerPixel: 1,
      units: 'HU',
      window: { center: 40, width: 400, explanation: 'SOFT' },
      pixels: { min: -32768, max: 32767, sha256: createHash('sha256').update(le).digest('hex') }
    })
    expect(s.windows).toHaveLength(2)
    expect(s.pixels.mean).toBeCloseTo(mean, 6)
    expect(JSON.parse(JSON.stringify(s))).toEqual(s)
  })
})

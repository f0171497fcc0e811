import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, dicomSummary, renderWindowed } from '../../../src/main/imaging'
import type { WriteElement } from '../../../src/main/imaging/dicom/writer'
import { COLS, maxAbsDiff, rgb8, rmsDiff, ROWS, scratchDir, writeImage } from '../../fixtures/dicom/corpus'
import { toPlanar } from '../../fixtures/dicom/phantom'
import { dcm2pnm, referenceDecode, RGB_TRANSCODES, tool, transcode } from '../../fixtures/dicom/tools'

const scratch = scratchDir('colour')
afterAll(() => scratch.cleanup())

const rounded = (a: Float32Array): number[] => Array.from(a, (v) => Math.round(v))

describe('RGB', () => {
  const { values, spec } = rgb8()
  const interleaved = writeImage(scratch.dir, 'rgb-pc0.dcm', spec)
  const planar = writeImage(scratch.dir, 'rgb-pc1.dcm', { ...spec, pixels: toPlanar(values), planarConfiguration: 1 })

  it('planar configuration 0 and 1 decode to the same interleaved pixels and hash', async () => {
    const a = await decodeImage(interleaved)
    const b = await decodeImage(planar)
    expect(a.samplesPerPixel).toBe(3)
    expect(maxAbsDiff(a.stored, values)).toBe(0)
    expect(maxAbsDiff(b.stored, values)).toBe(0)
    expect(rounded(b.modality)).toEqual(Array.from(values))
    expect((await dicomSummary(planar)).pixels.sha256).toBe((await dicomSummary(interleaved)).pixels.sha256)
  })

  it('planar configuration 1 matches dcmtk dcm2pnm', async () => {
    const ref = dcm2pnm(planar, scratch.file('rgb-pc1.ppm'))
    const img = await decodeImage(planar)
    expect(ref.channels).toBe(3)
    expect(maxAbsDiff(renderWindowed(img), ref.data)).toBe(0)
  })

  it.each(RGB_TRANSCODES.map((t) => [t.name, t] as const))('%s (from planar source)', async (_n, t) => {
    const out = transcode(t, planar, scratch.file(`rgb-${t.name}.dcm`))
    expect((await dicomSummary(out)).transferSyntaxUID).toBe(t.transferSyntaxUID)
    const img = await decodeImage(out)
    if (!t.lossy) {
      expect(maxAbsDiff(img.stored, values)).toBe(0)
      return
    }
    // JPEG Baseline stores YBR_FULL_422 with 2×1 chroma subsampling at quality 95.
    expect((await dicomSummary(out)).photometricInterpretation).toBe('YBR_FULL_422')
    expect(rmsDiff(img.modality, values)).toBeLessThan(8)
    const ref = await decodeImage(referenceDecode(out, scratch.file(`rgb-${t.name}-ref.dcm`), 'dcmdjpeg'))
    expect(maxAbsDiff(rounded(img.modality), rounded(ref.modality))).toBeLessThanOrEqual(2)
  })
})

describe('YBR', () => {
  const { values, spec } = rgb8()
  const rgbFile = writeImage(scratch.dir, 'ybr-src.dcm', spec)

  it('YBR_FULL (converted by gdcm) decodes to the RGB source within rounding', async () => {
    const ybr = scratch.file('ybr-full.dcm')
    tool('gdcmconv', ['-P', 'YBR_FULL', '-i', rgbFile, '-o', ybr])
    const img = await decodeImage(ybr)
    expect(img.photometric).toBe('YBR_FULL')
    expect(maxAbsDiff(img.modality, values)).toBeLessThanOrEqual(2)
    // dcmtk's integer YCbCr arithmetic rounds differently by up to 2 levels.
    const ref = dcm2pnm(ybr, scratch.file('ybr-full.ppm'))
    expect(maxAbsDiff(renderWindowed(img), ref.data)).toBeLessThanOrEqual(2)
  })

  it('YBR_FULL RLE (dcmcrle keeps YBR) decodes to the same stored values', async () => {
    const ybr = scratch.file('ybr-full2.dcm')
    tool('gdcmconv', ['-P', 'YBR_FULL', '-i', rgbFile, '-o', ybr])
    const rle = transcode(RGB_TRANSCODES[0], ybr, scratch.file('ybr-rle.dcm'))
    const a = await decodeImage(ybr)
    const b = await decodeImage(rle)
    expect((await dicomSummary(rle)).photometricInterpretation).toBe('YBR_FULL')
    expect(maxAbsDiff(a.stored, b.stored)).toBe(0)
    expect(maxAbsDiff(a.modality, b.modality)).toBe(0)
  })

  it('native YBR_FULL_422 (two luma, shared chroma) matches dcm2pnm', async () => {
    // Forward BT.601 full-range transform, chroma averaged over each horizontal pair.
    const packed = new Uint8Array(ROWS * COLS * 2)
    const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)))
    for (let y = 0; y < ROWS; y++) {
      for (let x = 0; x < COLS; x += 2) {
        const ys: number[] = []
        let cb = 0
        let cr = 0
        for (const dx of [0, 1]) {
          const i = (y * COLS + x + dx) * 3
          const [r, g, b] = [values[i], values[i + 1], values[i + 2]]
          ys.push(clamp(0.299 * r + 0.587 * g + 0.114 * b))
          cb += -0.168736 * r - 0.331264 * g + 0.5 * b + 128
          cr += 0.5 * r - 0.418688 * g - 0.081312 * b + 128
        }
        const o = (y * COLS + x) * 2
        packed.set([ys[0], ys[1], clamp(cb / 2), clamp(cr / 2)], o)
      }
    }
    const file = writeImage(scratch.dir, 'ybr422.dcm', { ...spec, pixels: packed, photometric: 'YBR_FULL_422' })
    const img = await decodeImage(file)
    expect(img.modality.length).toBe(ROWS * COLS * 3)
    const ref = dcm2pnm(file, scratch.file('ybr422.ppm'))
    expect(maxAbsDiff(renderWindowed(img), ref.data)).toBeLessThanOrEqual(2)
    expect(rmsDiff(img.modality, values)).toBeLessThan(12)
  })
})

describe('PALETTE COLOR', () => {
  const lut = (f: (i: number) => number): Uint16Array => Uint16Array.from({ length: 256 }, (_, i) => f(i))
  const red = lut((i) => i * 257)
  const green = lut((i) => (255 - i) * 257)
  const blue = lut((i) => (i < 128 ? 0 : 65535))
  const palette = (firstMapped: number): WriteElement[] => [
    { tag: 0x00281101, vr: 'US', value: [256, firstMapped, 16] },
    { tag: 0x00281102, vr: 'US', value: [256, firstMapped, 16] },
    { tag: 0x00281103, vr: 'US', value: [256, firstMapped, 16] },
    { tag: 0x00281201, vr: 'OW', value: red },
    { tag: 0x00281202, vr: 'OW', value: green },
    { tag: 0x00281203, vr: 'OW', value: blue }
  ]
  const index = Uint8Array.from({ length: ROWS * COLS }, (_, i) => (i * 7) % 256)
  const base = {
    rows: ROWS,
    columns: COLS,
    pixels: index,
    bitsAllocated: 8 as const,
    bitsStored: 8,
    photometric: 'PALETTE COLOR'
  }

  it('maps indices through 16-bit LUTs, like dcm2pnm', async () => {
    const file = writeImage(scratch.dir, 'palette.dcm', { ...base, extra: palette(0) })
    const img = await decodeImage(file)
    expect(img.samplesPerPixel).toBe(3)
    expect(Array.from(img.stored)).toEqual(Array.from(index))
    const px = 5
    expect(rounded(img.modality.subarray(px * 3, px * 3 + 3))).toEqual([35, 220, 0])
    const ref = dcm2pnm(file, scratch.file('palette.ppm'))
    expect(maxAbsDiff(renderWindowed(img), ref.data)).toBeLessThanOrEqual(1)
  })

  it('honours the first mapped value and clamps indices below it', async () => {
    const file = writeImage(scratch.dir, 'palette-offset.dcm', { ...base, extra: palette(100) })
    const img = await decodeImage(file)
    // Index 35 (< 100) clamps to entry 0; index 170 maps to entry 70.
    const at35 = 5
    const at170 = Array.from(index).indexOf(170)
    expect(rounded(img.modality.subarray(at35 * 3, at35 * 3 + 3))).toEqual([0, 255, 0])
    expect(rounded(img.modality.subarray(at170 * 3, at170 * 3 + 3))).toEqual([70, 185, 0])
  })

  it('RLE-compressed palette image keeps the indices', async () => {
    const file = writeImage(scratch.dir, 'palette2.dcm', { ...base, extra: palette(0) })
    const rle = transcode(RGB_TRANSCODES[0], file, scratch.file('palette-rle.dcm'))
    const img = await decodeImage(rle)
    expect(Array.from(img.stored)).toEqual(Array.from(index))
  })
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage, renderWindowed } from '../../../src/main/imaging'
import { encodeDicom } from '../../../src/main/imaging/dicom/writer'
import { loadModelInput, renderedToModelInput } from '../../../src/main/training/preprocess/load-model-input'
import { makePreprocessSpec, preprocessSpecKey } from '../../../src/main/training/preprocess/spec'

let dir: string

/** Pixel (x, y) of an HWC float image of side `size` as [r, g, b]. */
function px(a: Float32Array, size: number, x: number, y: number): number[] {
  const o = (y * size + x) * 3
  return [a[o], a[o + 1], a[o + 2]].map((v) => Math.round(v * 1e4) / 1e4)
}

function range(a: Float32Array): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of a) {
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  return [lo, hi]
}

/** A width×height 8-bit RGB image: left half pure red, right half (0, 128, 255). */
function twoHalvesRgb(width: number, height: number): Buffer {
  const b = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3
      if (x < width / 2) b[o] = 255
      else {
        b[o + 1] = 128
        b[o + 2] = 255
      }
    }
  }
  return b
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-preprocess-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('loadModelInput', () => {
  it('turns an RGB PNG into HWC float32 in [-1, 1] at the input size', async () => {
    const file = path.join(dir, 'rgb.png')
    await sharp(twoHalvesRgb(200, 120), { raw: { width: 200, height: 120, channels: 3 } })
      .png()
      .toFile(file)
    const x = await loadModelInput(file, makePreprocessSpec(32, '[-1,1]'))
    expect(x).toBeInstanceOf(Float32Array)
    expect(x.length).toBe(32 * 32 * 3)
    expect(range(x)).toEqual([-1, 1])
    expect(px(x, 32, 2, 16)).toEqual([1, -1, -1])
    expect(px(x, 32, 29, 16)).toEqual([-1, 0.0039, 1])
  })

  it('scales to [0, 1] when the backbone asks for it', async () => {
    const file = path.join(dir, 'rgb01.png')
    await sharp(twoHalvesRgb(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toFile(file)
    const x = await loadModelInput(file, makePreprocessSpec(16, '[0,1]'))
    expect(range(x)).toEqual([0, 1])
    expect(px(x, 16, 1, 8)).toEqual([1, 0, 0])
    expect(px(x, 16, 14, 8)).toEqual([0, 0.502, 1])
  })

  it('replicates a grey PNG to three equal channels', async () => {
    const file = path.join(dir, 'grey.png')
    const grey = Buffer.alloc(50 * 50)
    for (let y = 0; y < 50; y++) for (let x = 0; x < 50; x++) grey[y * 50 + x] = y < 25 ? 51 : 204
    await sharp(grey, { raw: { width: 50, height: 50, channels: 1 } })
      .png()
      .toFile(file)
    const x = await loadModelInput(file, makePreprocessSpec(20, '[0,1]'))
    expect(x.length).toBe(20 * 20 * 3)
    expect(px(x, 20, 10, 1)).toEqual([0.2, 0.2, 0.2])
    expect(px(x, 20, 10, 18)).toEqual([0.8, 0.8, 0.8])
  })

  it('reads a JPEG and a DICOM with its default window', async () => {
    const jpg = path.join(dir, 'flat.jpg')
    await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .jpeg({ quality: 100 })
      .toFile(jpg)
    const j = await loadModelInput(jpg, makePreprocessSpec(24, '[-1,1]'))
    expect(range(j)[1]).toBeLessThan(-0.98)

    // 64×64 MONOCHROME2, 12 bits stored; window 1000/2000 maps 0 → black and ≥ 2000 → white.
    const pixels = new Uint16Array(64 * 64)
    for (let i = 0; i < pixels.length; i++) pixels[i] = i % 64 < 32 ? 0 : 4000
    const bytes = encodeDicom([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
      { tag: 0x00080018, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.99.1' },
      { tag: 0x00080060, vr: 'CS', value: 'MR' },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: 64 },
      { tag: 0x00280011, vr: 'US', value: 64 },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 12 },
      { tag: 0x00280102, vr: 'US', value: 11 },
      { tag: 0x00280103, vr: 'US', value: 0 },
      { tag: 0x00281050, vr: 'DS', value: '1000' },
      { tag: 0x00281051, vr: 'DS', value: '2000' },
      { tag: 0x7fe00010, vr: 'OW', value: pixels }
    ])
    const dcm = path.join(dir, 'mr.dcm')
    fs.writeFileSync(dcm, bytes)
    const d = await loadModelInput(dcm, makePreprocessSpec(32, '[-1,1]'))
    expect(d.length).toBe(32 * 32 * 3)
    expect(px(d, 32, 2, 5)).toEqual([-1, -1, -1])
    expect(px(d, 32, 29, 5)).toEqual([1, 1, 1])
  })

  it('takes a libvips shortcut for 8-bit PNG/JPEG that equals decodeImage + renderWindowed', async () => {
    const noisy = (w: number, h: number, ch: number) => {
      const b = Buffer.alloc(w * h * ch)
      for (let i = 0; i < b.length; i++) b[i] = (i * 2654435761) >>> 24
      return b
    }
    const cases: Array<[string, Promise<unknown>, number]> = []
    const grey = path.join(dir, 'eq-grey.png')
    const rgb = path.join(dir, 'eq-rgb.png')
    const jpg = path.join(dir, 'eq.jpg')
    const rgba = path.join(dir, 'eq-rgba.png')
    cases.push([
      grey,
      sharp(noisy(97, 61, 1), { raw: { width: 97, height: 61, channels: 1 } })
        .png()
        .toFile(grey),
      0
    ])
    cases.push([
      rgb,
      sharp(noisy(70, 90, 3), { raw: { width: 70, height: 90, channels: 3 } })
        .png()
        .toFile(rgb),
      0
    ])
    cases.push([
      jpg,
      sharp(noisy(300, 300, 3), { raw: { width: 300, height: 300, channels: 3 } })
        .jpeg()
        .toFile(jpg),
      0
    ])
    // Partly transparent pixels may round differently (flatten in 8 bits vs multiply in float): ≤ 1 level.
    cases.push([
      rgba,
      sharp(noisy(50, 50, 4), { raw: { width: 50, height: 50, channels: 4 } })
        .png()
        .toFile(rgba),
      1 / 127.5
    ])
    await Promise.all(cases.map((c) => c[1]))
    const spec = makePreprocessSpec(40, '[-1,1]')
    for (const [file, , tolerance] of cases) {
      const fast = await loadModelInput(file, spec)
      const img = await decodeImage(file)
      const general = await renderedToModelInput(
        { pixels: renderWindowed(img), width: img.width, height: img.height, channels: img.samplesPerPixel },
        spec
      )
      let worst = 0
      for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i] - general[i]))
      expect(fast.length, file).toBe(general.length)
      expect(worst, file).toBeLessThanOrEqual(tolerance + 1e-6)
    }
  })

  it('names the file when it cannot be read or decoded', async () => {
    await expect(loadModelInput(path.join(dir, 'missing.png'), makePreprocessSpec(32, '[0,1]'))).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    const junk = path.join(dir, 'junk.bin')
    fs.writeFileSync(junk, Buffer.alloc(300, 7))
    await expect(loadModelInput(junk, makePreprocessSpec(32, '[0,1]'))).rejects.toThrow(/junk\.bin/)
  })

  it('rejects a spec it does not implement', async () => {
    const spec = { ...makePreprocessSpec(32, '[0,1]'), resize: 'nearest' as 'bilinear' }
    await expect(
      renderedToModelInput({ pixels: new Uint8Array(4), width: 2, height: 2, channels: 1 }, spec)
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    })
    expect(preprocessSpecKey(makePreprocessSpec(32, '[0,1]'))).not.toBe(
      preprocessSpecKey(makePreprocessSpec(32, '[-1,1]'))
    )
  })
})

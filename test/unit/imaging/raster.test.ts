import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage, readImageHeader, renderWindowed } from '../../../src/main/imaging'
import { maxAbsDiff, rmsDiff, scratchDir } from '../../fixtures/dicom/corpus'

const scratch = scratchDir('raster')
afterAll(() => scratch.cleanup())

const W = 40
const H = 30
const grey8 = Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % 256)
const grey16 = Uint16Array.from({ length: W * H }, (_, i) => i * 50)
const rgb = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 13) % 256)

async function png(name: string, data: Uint8Array | Uint16Array, channels: 1 | 2 | 3 | 4): Promise<string> {
  const file = scratch.file(name)
  const grey = channels <= 2
  const space = data instanceof Uint16Array ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb'
  await sharp(data, { raw: { width: W, height: H, channels } })
    .toColourspace(space)
    .png()
    .toFile(file)
  return file
}

describe('PNG', () => {
  it('8-bit grey: exact values, identity default window', async () => {
    const file = await png('g8', grey8, 1)
    const img = await decodeImage(file)
    expect(img).toMatchObject({ kind: 'png', width: W, height: H, samplesPerPixel: 1, frames: 1 })
    expect(Array.from(img.stored)).toEqual(Array.from(grey8))
    expect(Array.from(renderWindowed(img))).toEqual(Array.from(grey8))
  })

  it('16-bit grey: exact 16-bit values and a percentile window', async () => {
    const file = await png('g16.png', grey16, 1)
    const img = await decodeImage(file)
    expect(img.stored).toBeInstanceOf(Uint16Array)
    expect(Array.from(img.stored)).toEqual(Array.from(grey16))
    expect(img.windows[0].explanation).toMatch(/AUTO/)
    expect(img.windows[0].width).toBeGreaterThan(50_000)
  })

  it('RGB: exact values, passed through by the renderer', async () => {
    const img = await decodeImage(await png('rgb.png', rgb, 3))
    expect(img.samplesPerPixel).toBe(3)
    expect(Array.from(img.stored)).toEqual(Array.from(rgb))
    expect(Array.from(renderWindowed(img))).toEqual(Array.from(rgb))
  })

  it('16-bit RGB scales to 0..255 for display', async () => {
    const rgb16 = Uint16Array.from(rgb, (v) => v * 257)
    const img = await decodeImage(await png('rgb16.png', rgb16, 3))
    expect(Array.from(img.stored)).toEqual(Array.from(rgb16))
    expect(maxAbsDiff(img.modality, rgb)).toBeLessThan(1e-3)
  })

  it('alpha is dropped from stored values and flattens onto black for display', async () => {
    const rgba = new Uint8Array(W * H * 4)
    for (let p = 0; p < W * H; p++) rgba.set([rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], p % 2 ? 255 : 0], p * 4)
    const img = await decodeImage(await png('rgba.png', rgba, 4))
    expect(Array.from(img.stored)).toEqual(Array.from(rgb))
    expect(Array.from(img.modality.subarray(0, 3))).toEqual([0, 0, 0])
    expect(Array.from(img.modality.subarray(3, 6))).toEqual(Array.from(rgb.subarray(3, 6)))
    const ga = new Uint8Array(W * H * 2)
    for (let p = 0; p < W * H; p++) ga.set([grey8[p], 128], p * 2)
    const g = await decodeImage(await png('ga.png', ga, 2))
    expect(g.samplesPerPixel).toBe(1)
    expect(Array.from(g.stored)).toEqual(Array.from(grey8))
    expect(g.modality[10]).toBeCloseTo((grey8[10] * 128) / 255, 4)
  })
})

describe('JPEG', () => {
  it('grey and colour JPEG decode close to the source; headers need no extension', async () => {
    const g = scratch.file('gjpeg')
    await sharp(grey8, { raw: { width: W, height: H, channels: 1 } })
      .toColourspace('b-w')
      .jpeg({ quality: 95 })
      .toFile(g)
    const c = scratch.file('cjpeg')
    await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ quality: 95 })
      .toFile(c)
    const gi = await decodeImage(g)
    expect(gi.kind).toBe('jpeg')
    expect(gi.samplesPerPixel).toBe(1)
    expect(rmsDiff(gi.stored, grey8)).toBeLessThan(12)
    const ci = await decodeImage(c)
    expect(ci.samplesPerPixel).toBe(3)
    expect(await readImageHeader(c)).toEqual({ kind: 'jpeg', width: W, height: H, frames: 1 })
  })

  it('a damaged JPEG is CORRUPT, naming the file', async () => {
    const bad = scratch.file('bad.jpg')
    const good = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .jpeg()
      .toBuffer()
    const { writeFileSync } = await import('node:fs')
    writeFileSync(bad, good.subarray(0, 200))
    await expect(decodeImage(bad)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining(bad) })
    await expect(decodeImage(bad, { frame: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

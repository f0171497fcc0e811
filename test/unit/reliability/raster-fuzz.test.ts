import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src/shared/errors'
import { decodeRaster } from '../../../src/main/imaging/raster'

/** Mutated PNG (8/16-bit, grey/RGB/alpha) and JPEG files: each ends in an image or an AppError naming the file. */

const CASES = Number(process.env.NEUROPATH_RASTER_FUZZ_CASES ?? 2000)

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x297a2d39) >>> 0
    return s / 4294967296
  }
}

let seeds: { kind: 'png' | 'jpeg'; bytes: Buffer }[] = []
beforeAll(async () => {
  const w = 40
  const h = 30
  const grey = Buffer.alloc(w * h, 0).map((_, i) => (i * 7) % 256)
  const rgba = Buffer.alloc(w * h * 4, 0).map((_, i) => (i * 13) % 256)
  seeds = [
    {
      kind: 'png',
      bytes: await sharp(grey, { raw: { width: w, height: h, channels: 1 } })
        .png()
        .toBuffer()
    },
    {
      kind: 'png',
      bytes: await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .png()
        .toBuffer()
    },
    {
      kind: 'png',
      bytes: await sharp(grey, { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('grey16')
        .png()
        .toBuffer()
    },
    {
      kind: 'jpeg',
      bytes: await sharp(rgba, { raw: { width: w, height: h, channels: 4 } })
        .jpeg()
        .toBuffer()
    }
  ]
})

describe('PNG/JPEG fuzzing', () => {
  it(`survives ${CASES} mutated PNG and JPEG files`, async () => {
    const r = rng(7)
    let decoded = 0
    let errors = 0
    for (let i = 0; i < CASES; i++) {
      const seed = seeds[i % seeds.length]
      const b = Buffer.from(seed.bytes)
      if (r() < 0.3) {
        const cut = Math.floor(r() * b.length)
        b.fill(0, cut)
      } else {
        for (let n = 1 + Math.floor(r() * 12); n > 0; n--) b[Math.floor(r() * b.length)] = Math.floor(r() * 256)
      }
      const name = `case-${i}.${seed.kind}`
      try {
        const img = await decodeRaster(name, seed.kind, b)
        expect(img.modality.length).toBe(img.width * img.height * img.samplesPerPixel)
        decoded++
      } catch (err) {
        if (!(err instanceof AppError)) throw new Error(`case ${i} threw a non-AppError: ${String(err)}`)
        expect(err.message).toContain(name)
        errors++
      }
    }
    console.log(`[fuzz] ${CASES} PNG/JPEG cases: ${decoded} decoded, ${errors} clear errors`)
    expect(decoded + errors).toBe(CASES)
    expect(errors).toBeGreaterThan(0)
  }, 300_000)
})

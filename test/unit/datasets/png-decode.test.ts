import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodePng8 } from '../../../src/main/datasets/import/png-decode'
import { encodePng8 } from '../../../src/main/datasets/import/png-encode'

describe('decodePng8', () => {
  const grey = new Uint8Array(37 * 23).map((_, i) => (i * 31 + (i >> 3)) % 256)
  const rgb = new Uint8Array(19 * 11 * 3).map((_, i) => (i * 7) % 256)

  it('reads back what encodePng8 writes, grey and RGB', async () => {
    const g = await decodePng8(await encodePng8({ width: 37, height: 23, channels: 1, data: grey }))
    expect(g).toEqual({ width: 37, height: 23, channels: 1, data: grey })
    const c = await decodePng8(await encodePng8({ width: 19, height: 11, channels: 3, data: rgb }))
    expect(c).toEqual({ width: 19, height: 11, channels: 3, data: rgb })
  })

  it('undoes every row filter libpng chooses (sharp, adaptive filtering)', async () => {
    for (const adaptiveFiltering of [true, false]) {
      const png = await sharp(Buffer.from(grey), { raw: { width: 37, height: 23, channels: 1 } })
        .toColourspace('b-w')
        .png({ adaptiveFiltering, compressionLevel: 9 })
        .toBuffer()
      expect((await decodePng8(png))?.data).toEqual(grey)
    }
  })

  it('declines PNGs it does not handle, so the caller falls back', async () => {
    const alpha = await sharp(Buffer.from(rgb.subarray(0, 19 * 11 * 2)), {
      raw: { width: 19, height: 11, channels: 2 }
    })
      .png()
      .toBuffer()
    expect(await decodePng8(alpha)).toBeNull()
    expect(await decodePng8(Buffer.from('not a png at all, definitely not'))).toBeNull()
  })
})

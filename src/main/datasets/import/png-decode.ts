import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Raster8 } from './resample'

const inflate = promisify(zlib.inflate)

/**
 * Decodes an 8-bit grey or RGB, non-interlaced PNG (what `encodePng8` writes for thumbnails) without sharp,
 * whose per-call overhead (~2 ms) dominates for 128-pixel images; the inflate runs on the libuv thread pool.
 * All five row filters are handled. Returns null for any other PNG (palette, alpha, 16-bit, interlaced), so
 * the caller can fall back to a general decoder.
 */
export async function decodePng8(png: Buffer): Promise<Raster8 | null> {
  if (png.length < 33 || png.readUInt32BE(0) !== 0x89504e47) return null
  let width = 0
  let height = 0
  let channels: 1 | 3 = 1
  const idat: Buffer[] = []
  for (let at = 8; at + 12 <= png.length;) {
    const len = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const data = png.subarray(at + 8, at + 8 + len)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]]
      if (depth !== 8 || (colour !== 0 && colour !== 2) || interlace !== 0) return null
      channels = colour === 0 ? 1 : 3
    } else if (type === 'IDAT') idat.push(data)
    else if (type === 'IEND') break
    at += 12 + len
  }
  if (!width || !height || idat.length === 0) return null
  const raw = await inflate(Buffer.concat(idat))
  const stride = width * channels
  if (raw.length < (stride + 1) * height) return null
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]
    const src = y * (stride + 1) + 1
    const row = y * stride
    const prev = row - stride
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[row + x - channels] : 0
      const b = y > 0 ? out[prev + x] : 0
      const c = x >= channels && y > 0 ? out[prev + x - channels] : 0
      let p = raw[src + x]
      if (filter === 1) p += a
      else if (filter === 2) p += b
      else if (filter === 3) p += (a + b) >> 1
      else if (filter === 4) {
        const pa = Math.abs(b - c)
        const pb = Math.abs(a - c)
        const pc = Math.abs(a + b - 2 * c)
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      } else if (filter !== 0) return null
      out[row + x] = p & 0xff
    }
  }
  return { width, height, channels, data: out }
}

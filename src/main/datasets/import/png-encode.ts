import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { Raster8 } from './resample'

const deflate = promisify(zlib.deflate)
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/**
 * Encodes an 8-bit grey or RGB raster as PNG (colour type 0 or 2, "up" filter on every row). Written here
 * rather than through sharp because a thumbnail is tiny and sharp's per-call overhead (~2 ms measured on the
 * 2-core CI machine) dominated import time; the deflate itself runs on the libuv thread pool.
 */
export async function encodePng8(img: Raster8): Promise<Buffer> {
  const stride = img.width * img.channels
  const filtered = Buffer.alloc((stride + 1) * img.height)
  const d = img.data
  for (let y = 0; y < img.height; y++) {
    const at = y * (stride + 1)
    filtered[at] = 2
    const row = y * stride
    if (y === 0) filtered.set(d.subarray(row, row + stride), at + 1)
    else for (let x = 0; x < stride; x++) filtered[at + 1 + x] = (d[row + x] - d[row - stride + x]) & 0xff
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(img.width, 0)
  ihdr.writeUInt32BE(img.height, 4)
  ihdr[8] = 8
  ihdr[9] = img.channels === 1 ? 0 : 2
  // Level 1: a thumbnail is small either way, and the faster level measurably raises import throughput.
  const idat = await deflate(filtered, { level: 1 })
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  data.copy(out, 8)
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length)
  return out
}

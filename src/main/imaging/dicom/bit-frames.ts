import type { DataSet, Element } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { PixelModule } from './pixel-module'

/**
 * One frame of Bits Allocated 1 native pixel data (e.g. a BINARY DICOM SEG) as one byte per pixel, 0 or 1.
 * Bits are packed across frame boundaries, the first pixel in the least significant bit of the first byte
 * (PS3.5 8.1.1 and PS3.3 C.8.20.2), so frame f starts at bit f × rows × columns, not at a byte.
 * @throws AppError CORRUPT when the element is shorter than the frame needs (truncated file).
 */
export function unpackBitFrame(ds: DataSet, el: Element, pm: PixelModule, frame: number, where: string): Uint8Array {
  const n = pm.rows * pm.columns
  const firstBit = frame * n
  const needBytes = Math.ceil((firstBit + n) / 8)
  const available = Math.min(el.length, ds.byteArray.length - el.dataOffset)
  if (needBytes > available) {
    throw new AppError(
      'CORRUPT',
      `${where}: 1-bit Pixel Data holds ${available} bytes, frame ${frame} needs ${needBytes} (truncated?)`
    )
  }
  const bytes = ds.byteArray
  const base = el.dataOffset
  const out = new Uint8Array(n)
  for (let p = 0, bit = firstBit; p < n; p++, bit++) out[p] = (bytes[base + (bit >> 3)] >> (bit & 7)) & 1
  return out
}

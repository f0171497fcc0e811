import { createHash } from 'node:crypto'
import os from 'node:os'
import type { AnyStoredArray } from './types'

/** Min, max and mean of stored values. */
export function storedStats(values: AnyStoredArray): { min: number; max: number; mean: number } {
  let min = Infinity
  let max = -Infinity
  let sum = 0
  const n = values.length
  for (let i = 0; i < n; i++) {
    const v = values[i]
    if (v < min) min = v
    if (v > max) max = v
    sum += v
  }
  return n ? { min, max, mean: sum / n } : { min: 0, max: 0, mean: 0 }
}

/**
 * SHA-256 (hex) of stored values as little-endian integers at their array's width, in array order.
 * Equal for every lossless encoding of the same pixels.
 */
export function storedSha256(values: AnyStoredArray): string {
  let bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  const width = values.BYTES_PER_ELEMENT
  if (os.endianness() === 'BE' && width > 1) {
    bytes = bytes.slice()
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse()
  }
  return createHash('sha256').update(bytes).digest('hex')
}

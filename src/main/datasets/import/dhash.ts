import { resampleArea, toLuma, type Raster8 } from './resample'

/**
 * 64-bit difference hash: the image in grey shrunk to 9×8, one bit per horizontally adjacent pair (left brighter
 * than right → 1), row by row, most significant bit first. Returned as 16 lowercase hex digits.
 * Near-identical images (rescaled, recompressed, slightly re-windowed) differ in few bits.
 */
export function dHash(img: Raster8): string {
  const small = resampleArea(toLuma(img), 9, 8).data
  let hi = 0
  let lo = 0
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const bit = small[y * 9 + x] > small[y * 9 + x + 1] ? 1 : 0
      const i = y * 8 + x
      if (i < 32) hi = (hi << 1) | bit
      else lo = (lo << 1) | bit
    }
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0')
}

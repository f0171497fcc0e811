import type { StoredArray } from '../types'

/** Any integer typed array a codec or the file hands us. */
export type IntArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array

/** An empty stored-value array of the allocated width: 8 → (U)Int8, 16 → (U)Int16, 32 → (U)Int32. */
export function allocStored(bitsAllocated: number, signed: boolean, length: number): StoredArray {
  if (bitsAllocated <= 8) return signed ? new Int8Array(length) : new Uint8Array(length)
  if (bitsAllocated <= 16) return signed ? new Int16Array(length) : new Uint16Array(length)
  return signed ? new Int32Array(length) : new Uint32Array(length)
}

/**
 * Brings raw samples to stored values: shifts right by `shift` (HighBit (0028,0102) + 1 − BitsStored (0028,0101)),
 * masks to BitsStored, sign-extends when PixelRepresentation (0028,0103) is 1, and widens or narrows to the
 * allocated width (0028,0100). Bits above HighBit (overlays, junk) are dropped.
 * @param src samples, one per array element; negative inputs are treated as their two's-complement bits.
 * @param owned true when `src` may be returned as is; false forces a copy (e.g. a view into a file buffer).
 * @returns `src` itself when owned, unchanged and of the right type; otherwise a new array.
 */
export function normalizeStored(
  src: IntArray,
  bitsAllocated: number,
  bitsStored: number,
  signed: boolean,
  shift = 0,
  owned = true
): StoredArray {
  const whole = bitsStored >= bitsAllocated && shift === 0
  const n = src.length
  if (whole && src.constructor === (signed ? signedType(bitsAllocated) : unsignedType(bitsAllocated))) {
    return owned ? src : src.slice()
  }
  if (whole && src.BYTES_PER_ELEMENT * 8 === bitsAllocated) {
    // Same bits, other signedness: reinterpret the bytes (copied first unless we own them).
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength)
    return viewSamples(owned ? bytes : bytes.slice(), bitsAllocated, signed) as StoredArray
  }
  const out = allocStored(bitsAllocated, signed, n)
  if (bitsStored >= 32) {
    for (let i = 0; i < n; i++) out[i] = src[i] >>> shift
    return out
  }
  const mask = 2 ** bitsStored - 1
  if (!signed) {
    if (shift === 0 && bitsAllocated === 16 && src instanceof Uint16Array && src.byteOffset % 4 === 0 && n % 2 === 0) {
      // The common CT/MR case (12 of 16 bits): mask two samples per 32-bit word, half the iterations.
      const from = new Uint32Array(src.buffer, src.byteOffset, n / 2)
      const to = new Uint32Array(out.buffer, 0, n / 2)
      const mask2 = (mask | (mask << 16)) >>> 0
      for (let i = 0, m = n / 2; i < m; i++) to[i] = from[i] & mask2
      return out
    }
    for (let i = 0; i < n; i++) out[i] = (src[i] >>> shift) & mask
    return out
  }
  // Sign extension: move the stored sign bit to bit 31, then arithmetic-shift back.
  const up = 32 - bitsStored
  for (let i = 0; i < n; i++) out[i] = (((src[i] >>> shift) & mask) << up) >> up
  return out
}

function signedType(bits: number): unknown {
  return bits <= 8 ? Int8Array : bits <= 16 ? Int16Array : Int32Array
}

function unsignedType(bits: number): unknown {
  return bits <= 8 ? Uint8Array : bits <= 16 ? Uint16Array : Uint32Array
}

/** Views LE bytes as samples of `bits` width (8, 16 or 32), copying only when misaligned. */
export function viewSamples(bytes: Uint8Array, bits: number, signed: boolean): IntArray {
  const width = bits <= 8 ? 1 : bits <= 16 ? 2 : 4
  let b = bytes
  if (b.byteOffset % width !== 0 || b.byteLength % width !== 0) {
    const copy = new Uint8Array(b.byteLength - (b.byteLength % width))
    copy.set(b.subarray(0, copy.length))
    b = copy
  }
  const count = b.byteLength / width
  if (width === 1) return signed ? new Int8Array(b.buffer, b.byteOffset, count) : b
  if (width === 2)
    return signed ? new Int16Array(b.buffer, b.byteOffset, count) : new Uint16Array(b.buffer, b.byteOffset, count)
  return signed ? new Int32Array(b.buffer, b.byteOffset, count) : new Uint32Array(b.buffer, b.byteOffset, count)
}

/**
 * Like `normalizeStored` for lossy codec output, but clamps to the BitsStored range instead of masking:
 * a lossy decoder can overshoot (4095 + 8 in a 12-bit image), and masking would wrap that to 7.
 */
export function clampStored(src: IntArray, bitsAllocated: number, bitsStored: number, signed: boolean): StoredArray {
  const out = allocStored(bitsAllocated, signed, src.length)
  const lo = signed ? -(2 ** (bitsStored - 1)) : 0
  const hi = signed ? 2 ** (bitsStored - 1) - 1 : 2 ** bitsStored - 1
  for (let i = 0; i < src.length; i++) {
    const v = src[i]
    out[i] = v < lo ? lo : v > hi ? hi : v
  }
  return out
}

/** True for Int8/Int16/Int32 arrays. */
export function isSignedArray(a: IntArray): boolean {
  return a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array
}

import { AppError } from '../../../../shared/errors'
import { allocStored } from '../stored'
import type { CodecResult, FrameSpec } from './types'

/**
 * Unpacks one PackBits segment (PS3.5 G.3.1), bytes `from`..`to` of `src`, into the first `count` bytes of `out`.
 * @returns the number of bytes produced (less than `count` when the segment is short).
 */
function unpackSegment(src: Uint8Array, from: number, to: number, out: Uint8Array, count: number): number {
  let i = from
  let o = 0
  while (i < to && o < count) {
    const n = (src[i++] << 24) >> 24
    if (n >= 0) {
      const len = Math.min(n + 1, count - o, to - i)
      out.set(src.subarray(i, i + len), o)
      i += n + 1
      o += len
    } else if (n !== -128) {
      const len = Math.min(1 - n, count - o)
      out.fill(src[i++], o, o + len)
      o += len
    }
  }
  return o
}

/**
 * RLE Lossless (1.2.840.10008.1.2.5): a 64-byte header of 16 little-endian uint32 (segment count, then up to
 * 15 offsets), one segment per byte of each sample, most significant byte first (PS3.5 Annex G).
 * @returns stored samples, pixel-interleaved, at the allocated width.
 */
export function decodeRle(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const bytesPerSample = spec.bitsAllocated / 8
  const pixels = spec.rows * spec.columns
  const spp = spec.samplesPerPixel
  const expected = bytesPerSample * spp
  if (data.length < 64) throw new AppError('CORRUPT', `${spec.where}: RLE frame of ${data.length} bytes has no header`)
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const segments = dv.getUint32(0, true)
  if (segments !== expected) {
    throw new AppError(
      'CORRUPT',
      `${spec.where}: RLE header lists ${segments} segments, ${spp} sample(s) of ${spec.bitsAllocated} bits need ${expected}`
    )
  }
  const offsets: number[] = []
  for (let s = 0; s < segments; s++) offsets.push(dv.getUint32(4 + s * 4, true))
  offsets.push(data.length)
  const out = allocStored(spec.bitsAllocated, false, pixels * spp)
  const seg = new Uint8Array(pixels)
  for (let s = 0; s < segments; s++) {
    const start = offsets[s]
    const end = Math.min(offsets[s + 1] > start ? offsets[s + 1] : data.length, data.length)
    if (start < 64 || start >= data.length) {
      throw new AppError('CORRUPT', `${spec.where}: RLE segment ${s + 1} offset ${start} is outside the frame`)
    }
    seg.fill(0)
    const got = unpackSegment(data, start, end, seg, pixels)
    if (got < pixels) {
      throw new AppError('CORRUPT', `${spec.where}: RLE segment ${s + 1} holds ${got} of ${pixels} bytes (truncated)`)
    }
    const sample = Math.floor(s / bytesPerSample)
    // Segments come most significant byte first, so the first segment of a sample is the top byte.
    const bitShift = 8 * (bytesPerSample - 1 - (s % bytesPerSample))
    for (let p = 0, o = sample; p < pixels; p++, o += spp) out[o] |= seg[p] << bitShift
  }
  return Promise.resolve({ samples: out, photometric: spec.photometric })
}

import { AppError } from '../../../shared/errors'
import type { StoredArray } from '../types'
import { FRAME_DECODERS, type FrameSpec } from './codecs'
import { unpackBitFrame } from './bit-frames'
import { planarToInterleaved } from './color'
import { encapsulatedFrameBytes, nativeFrameBytes, pixelDataElement } from './frames'
import type { ParsedDicom } from './parse'
import type { PixelModule } from './pixel-module'
import { clampStored, isSignedArray, normalizeStored, viewSamples } from './stored'
import type { TransferSyntaxInfo } from './transfer-syntax'

/** One frame's stored samples and the colour space they are in. */
export interface StoredFrame {
  /** Pixel-interleaved stored values (YBR_FULL_422 native frames keep their Y Y Cb Cr layout). */
  stored: StoredArray
  /** Photometric of `stored`: the file's, or 'RGB' where the codec converted colour. */
  photometric: string
}

/** Swaps each `width`-byte word in place (Explicit VR Big Endian pixel data). */
function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]
      bytes[a] = bytes[b]
      bytes[b] = t
    }
  }
}

function decodeNative(bytes: Uint8Array, pm: PixelModule, bigEndian: boolean, swapOw8: boolean): StoredArray {
  const width = pm.bitsAllocated / 8
  const swap = (bigEndian && width > 1) || swapOw8
  // Read the file buffer in place unless we must swap bytes or it is misaligned. In place, normalizeStored
  // is told it does not own the bytes, so the result never aliases the file buffer.
  let src = bytes
  if (swap || bytes.byteOffset % width !== 0) {
    src = bytes.slice()
    if (swap) swapBytes(src, swapOw8 ? 2 : width)
  }
  const signed = pm.pixelRepresentation === 1
  const raw = viewSamples(src, pm.bitsAllocated, false)
  const stored = normalizeStored(
    raw,
    pm.bitsAllocated,
    pm.bitsStored,
    signed,
    pm.highBit + 1 - pm.bitsStored,
    src !== bytes
  )
  if (pm.samplesPerPixel === 3 && pm.planarConfiguration === 1 && pm.photometric !== 'YBR_FULL_422') {
    return planarToInterleaved(stored, pm.rows * pm.columns, 3)
  }
  return stored
}

/**
 * Decodes one frame (0-based) of a fully parsed file to stored values: native data is byte-swapped,
 * shifted by HighBit, masked to BitsStored and sign-extended; compressed data goes through its codec first.
 * @throws AppError UNSUPPORTED (no pixel data, codec limits), CORRUPT (truncated, undecodable).
 */
export async function decodeStoredFrame(
  parsed: ParsedDicom,
  ts: TransferSyntaxInfo,
  pm: PixelModule,
  frame: number
): Promise<StoredFrame> {
  const where = `${parsed.path} frame ${frame}`
  const ds = parsed.dataSet
  const el = pixelDataElement(ds, parsed.path)
  const signed = pm.pixelRepresentation === 1
  if (pm.bitsAllocated === 1) {
    if (ts.codec !== 'native') throw new AppError('UNSUPPORTED', `${where}: 1-bit pixel data in ${ts.name}`)
    return { stored: unpackBitFrame(ds, el, pm, frame, where), photometric: pm.photometric }
  }
  if (ts.codec === 'native' || ts.codec === 'encapsulated-native') {
    const bytes =
      ts.codec === 'native'
        ? nativeFrameBytes(ds, el, pm, frame, where)
        : encapsulatedFrameBytes(ds, el, pm.frames, frame, where)
    // In big endian, 8-bit data written as OW has its byte pairs swapped (PS3.5 Annex A.3).
    const swapOw8 = ts.bigEndian && pm.bitsAllocated === 8 && el.vr === 'OW'
    return { stored: decodeNative(bytes, pm, ts.bigEndian, swapOw8), photometric: pm.photometric }
  }
  const data = encapsulatedFrameBytes(ds, el, pm.frames, frame, where)
  const spec: FrameSpec = {
    rows: pm.rows,
    columns: pm.columns,
    samplesPerPixel: pm.samplesPerPixel,
    bitsAllocated: pm.bitsAllocated,
    bitsStored: pm.bitsStored,
    signed,
    photometric: pm.photometric,
    where
  }
  const out = await FRAME_DECODERS[ts.codec](data, spec)
  const expected = pm.rows * pm.columns * pm.samplesPerPixel
  if (out.samples.length < expected) {
    throw new AppError(
      'CORRUPT',
      `${where}: ${ts.name} decoder returned ${out.samples.length} samples, expected ${expected}`
    )
  }
  const samples = out.samples.length > expected ? out.samples.subarray(0, expected) : out.samples
  // Lossy output is clamped (overshoot is real signal error); lossless output is masked and sign-extended,
  // which also reads signed data that an encoder stored as unsigned bit patterns.
  const clamp = ts.lossy && (!signed || isSignedArray(samples))
  const stored = clamp
    ? clampStored(samples, pm.bitsAllocated, pm.bitsStored, signed)
    : normalizeStored(samples, pm.bitsAllocated, pm.bitsStored, signed, 0)
  return { stored, photometric: out.photometric }
}

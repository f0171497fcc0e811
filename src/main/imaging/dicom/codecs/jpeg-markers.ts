/** The frame header (SOFn) of a JPEG stream (ITU T.81 B.2.2). */
export interface JpegFrameHeader {
  /** n in SOFn: 0 baseline, 1 extended, 2 progressive, 3 lossless (5–7, 9–11, 13–15 are the other variants). */
  process: number
  /** Sample precision P, bits (8, 12 or 2–16 for lossless). */
  precision: number
  rows: number
  columns: number
  components: number
}

/**
 * Finds the first SOFn marker and reads it. Decoders are chosen by what the stream is, not by what the
 * transfer syntax claims, because mislabelled files are common.
 * @returns undefined when the bytes do not start with SOI or hold no frame header.
 */
export function readJpegFrameHeader(data: Uint8Array): JpegFrameHeader | undefined {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return undefined
  let i = 2
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) {
      i++
      continue
    }
    const marker = data[i + 1]
    if (marker === 0xff || marker === 0x00 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += marker === 0xff ? 1 : 2
      continue
    }
    const length = (data[i + 2] << 8) | data[i + 3]
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isSof && i + 10 <= data.length) {
      return {
        process: marker - 0xc0,
        precision: data[i + 4],
        rows: (data[i + 5] << 8) | data[i + 6],
        columns: (data[i + 7] << 8) | data[i + 8],
        components: data[i + 9]
      }
    }
    if (marker === 0xd9 || marker === 0xda) return undefined
    i += 2 + length
  }
  return undefined
}

/** True for the lossless processes (SOF3, SOF7, SOF11, SOF15). */
export function isLosslessProcess(process: number): boolean {
  return process === 3 || process === 7 || process === 11 || process === 15
}

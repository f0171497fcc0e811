import type { StoredArray } from '../../types'

/** What a codec needs to know about the frame it decodes (from the Image Pixel module). */
export interface FrameSpec {
  /** (0028,0010) */
  rows: number
  /** (0028,0011) */
  columns: number
  /** (0028,0002) */
  samplesPerPixel: number
  /** (0028,0100) */
  bitsAllocated: number
  /** (0028,0101) */
  bitsStored: number
  /** (0028,0103) = 1 */
  signed: boolean
  /** (0028,0004) */
  photometric: string
  /** File path and frame number, for error messages. */
  where: string
}

/** A decoded frame: samples pixel-interleaved, and the colour space the codec left them in. */
export interface CodecResult {
  samples: StoredArray
  /** 'RGB' when the codec converted YCbCr itself (JPEG baseline, JPEG 2000 with MCT); else the file's photometric. */
  photometric: string
}

/** Decodes one frame's compressed bytes (all its fragments concatenated). */
export type FrameDecoder = (data: Uint8Array, spec: FrameSpec) => Promise<CodecResult>

import type { PixelCodec } from '../transfer-syntax'
import { decodeJpeg } from './jpeg'
import { decodeJpeg2000 } from './jpeg2000'
import { decodeJpegLs } from './jpeg-ls'
import { decodeRle } from './rle'
import type { FrameDecoder } from './types'

/** The decoder for each compressed pixel codec family; native data needs none. */
export const FRAME_DECODERS: Record<Exclude<PixelCodec, 'native' | 'encapsulated-native'>, FrameDecoder> = {
  rle: decodeRle,
  jpeg: decodeJpeg,
  'jpeg-ls': decodeJpegLs,
  jpeg2000: decodeJpeg2000,
  // OpenJPEG ≥ 2.5 reads HTJ2K (ISO 15444-15) code-blocks through the same API.
  htj2k: decodeJpeg2000
}

export type { CodecResult, FrameDecoder, FrameSpec } from './types'

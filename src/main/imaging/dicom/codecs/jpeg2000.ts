import { AppError } from '../../../../shared/errors'
import { viewSamples } from '../stored'
import type { CodecResult, FrameSpec } from './types'
import { openJpegDecoder, runWasmDecode } from './wasm'

/**
 * JPEG 2000 (1.2.840.10008.1.2.4.90/.91) and HTJ2K (1.2.840.10008.1.2.4.201/.202/.203) through OpenJPEG,
 * which decodes Part 15 high-throughput code-blocks since 2.5. Output is pixel-interleaved; when the
 * codestream used a multi-component transform (YBR_RCT / YBR_ICT) OpenJPEG has already inverted it.
 */
export async function decodeJpeg2000(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const Decoder = await openJpegDecoder()
  let out
  try {
    out = runWasmDecode(Decoder, data)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new AppError('CORRUPT', `${spec.where}: OpenJPEG (JPEG 2000) could not decode the frame (${reason})`)
  }
  const { info } = out
  if (info.width !== spec.columns || info.height !== spec.rows) {
    throw new AppError(
      'CORRUPT',
      `${spec.where}: JPEG 2000 frame is ${info.width}×${info.height} but the header says ${spec.columns}×${spec.rows}`
    )
  }
  const samples = viewSamples(out.bytes, info.bitsPerSample, info.isSigned === true)
  const mct = spec.photometric === 'YBR_RCT' || spec.photometric === 'YBR_ICT'
  return { samples, photometric: mct ? 'RGB' : spec.photometric }
}

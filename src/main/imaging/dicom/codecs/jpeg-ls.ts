import { AppError } from '../../../../shared/errors'
import { viewSamples } from '../stored'
import { planarToInterleaved } from '../color'
import type { CodecResult, FrameSpec } from './types'
import { charlsDecoder, runWasmDecode } from './wasm'

/**
 * CharLS interleave modes (ISO 14495-1 ILV): 0 none, 1 line, 2 sample. CharLS returns line- and
 * sample-interleaved scans pixel-interleaved, but a non-interleaved scan comes back as planes.
 */
const ILV_NONE = 0

/** JPEG-LS lossless and near-lossless (1.2.840.10008.1.2.4.80/.81) through CharLS. */
export async function decodeJpegLs(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const Decoder = await charlsDecoder()
  let out
  try {
    out = runWasmDecode(Decoder, data)
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new AppError('CORRUPT', `${spec.where}: CharLS (JPEG-LS) could not decode the frame (${reason})`)
  }
  const { info } = out
  if (info.width !== spec.columns || info.height !== spec.rows) {
    throw new AppError(
      'CORRUPT',
      `${spec.where}: JPEG-LS frame is ${info.width}×${info.height} but the header says ${spec.columns}×${spec.rows}`
    )
  }
  let samples = viewSamples(out.bytes, info.bitsPerSample, false) as Uint8Array | Uint16Array
  const spp = info.componentCount
  if (spp > 1 && out.interleave === ILV_NONE) samples = planarToInterleaved(samples, spec.rows * spec.columns, spp)
  return { samples, photometric: spec.photometric }
}

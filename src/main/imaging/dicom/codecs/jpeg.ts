import { createRequire } from 'node:module'
import { AppError } from '../../../../shared/errors'
import { viewSamples } from '../stored'
import { isLosslessProcess, readJpegFrameHeader } from './jpeg-markers'
import type { CodecResult, FrameSpec } from './types'
import { libjpegTurboDecoder, runWasmDecode } from './wasm'

const requireHere = createRequire(__filename)

interface DcmjsContext {
  getDecodedBuffer(): Uint8Array | undefined
}

interface DcmjsCodecs {
  Context: new (attrs: Record<string, unknown>) => DcmjsContext
  NativeCodecs: {
    initializeAsync(opts?: Record<string, unknown>): Promise<void>
    isInitialized(): boolean
    decodeJpeg(ctx: DcmjsContext, params?: { convertColorspaceToRgb?: boolean }): DcmjsContext
  }
}

let dcmjs: Promise<DcmjsCodecs> | undefined

/** dcmjs-codecs bundles IJG libjpeg built for 8, 12 and 16 bits (WASM, initialised once per process). */
function loadDcmjsCodecs(): Promise<DcmjsCodecs> {
  if (!dcmjs) {
    const mod = requireHere('dcmjs-codecs') as DcmjsCodecs
    dcmjs = mod.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false }).then(() => mod)
    dcmjs.catch(() => (dcmjs = undefined))
  }
  return dcmjs
}

/** Colour DCT JPEG is YCbCr inside; both decoders hand back RGB. */
function colourOut(spec: FrameSpec): string {
  return spec.samplesPerPixel === 3 ? 'RGB' : spec.photometric
}

function fail(spec: FrameSpec, what: string, err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err)
  return new AppError('CORRUPT', `${spec.where}: ${what} could not decode the frame (${reason})`)
}

async function decodeBaseline8(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const Decoder = await libjpegTurboDecoder()
  let out
  try {
    out = runWasmDecode(Decoder, data)
  } catch (err) {
    throw fail(spec, 'libjpeg-turbo (8-bit JPEG)', err)
  }
  return { samples: out.bytes, photometric: colourOut(spec) }
}

/**
 * IJG libjpeg (8/12/16-bit builds) from dcmjs-codecs. Used for 12-bit DCT and for lossless JPEG, where
 * jpeg-lossless-decoder-js 2.1 drops the last pixel when fill bytes (FF FF) precede EOI, as dcmcjpeg writes.
 */
async function decodeWithIjg(
  data: Uint8Array,
  spec: FrameSpec,
  what: string,
  toRgb: boolean
): Promise<Uint8Array | Uint16Array> {
  const codecs = await loadDcmjsCodecs()
  const wide = spec.bitsAllocated > 8
  let bytes: Uint8Array | undefined
  try {
    const ctx = new codecs.Context({
      width: spec.columns,
      height: spec.rows,
      bitsAllocated: wide ? 16 : 8,
      bitsStored: spec.bitsStored,
      samplesPerPixel: spec.samplesPerPixel,
      pixelRepresentation: spec.signed ? 1 : 0,
      planarConfiguration: 0,
      photometricInterpretation: spec.photometric,
      encodedBuffer: data
    })
    bytes = codecs.NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: toRgb }).getDecodedBuffer()
  } catch (err) {
    throw fail(spec, what, err)
  }
  if (!bytes || bytes.length === 0) throw fail(spec, what, 'empty output')
  return viewSamples(bytes.slice(), wide ? 16 : 8, false) as Uint8Array | Uint16Array
}

async function decodeExtended12(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const samples = await decodeWithIjg(
    data,
    { ...spec, bitsAllocated: 16 },
    'IJG libjpeg via dcmjs-codecs (12-bit JPEG)',
    true
  )
  return { samples, photometric: colourOut(spec) }
}

async function decodeLossless(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  // Lossless JPEG has no colour transform (T.81 H), so samples stay in the file's photometric.
  const samples = await decodeWithIjg(data, spec, 'IJG libjpeg via dcmjs-codecs (lossless JPEG)', false)
  return { samples, photometric: spec.photometric }
}

/**
 * JPEG family (1.2.840.10008.1.2.4.50/.51/.57/.70), dispatched on the stream's SOF marker:
 * 8-bit DCT → libjpeg-turbo; 12-bit DCT and lossless processes → IJG libjpeg from dcmjs-codecs.
 */
export async function decodeJpeg(data: Uint8Array, spec: FrameSpec): Promise<CodecResult> {
  const sof = readJpegFrameHeader(data)
  if (!sof) throw new AppError('CORRUPT', `${spec.where}: JPEG frame has no SOI/SOF marker`)
  if (sof.rows !== spec.rows || sof.columns !== spec.columns) {
    throw new AppError(
      'CORRUPT',
      `${spec.where}: JPEG frame is ${sof.columns}×${sof.rows} but the header says ${spec.columns}×${spec.rows}`
    )
  }
  if (isLosslessProcess(sof.process)) return decodeLossless(data, spec)
  if (sof.process === 2 || sof.process === 6 || sof.process === 10 || sof.process === 14) {
    if (sof.precision <= 8) return decodeBaseline8(data, spec)
    throw new AppError(
      'UNSUPPORTED',
      `${spec.where}: progressive JPEG with ${sof.precision}-bit samples is not supported`
    )
  }
  if (sof.precision <= 8) return decodeBaseline8(data, spec)
  if (sof.precision <= 12) return decodeExtended12(data, spec)
  throw new AppError('UNSUPPORTED', `${spec.where}: JPEG process ${sof.process} with ${sof.precision}-bit samples`)
}

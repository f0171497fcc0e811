import { createRequire } from 'node:module'

/**
 * Lazy, once-per-process loading of the Emscripten codecs. Each module costs tens of milliseconds to
 * instantiate, so we pay only for the syntaxes a session actually meets.
 */

const requireHere = createRequire(__filename)

/** Frame description the cornerstone codecs report after decoding. */
export interface WasmFrameInfo {
  width: number
  height: number
  bitsPerSample: number
  componentCount: number
  isSigned?: boolean
}

/** The common shape of cornerstone's embind decoder classes (J2KDecoder, JpegLSDecoder, JPEGDecoder). */
export interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array
  getDecodedBuffer(): Uint8Array
  decode(): void
  getFrameInfo(): WasmFrameInfo
  getInterleaveMode?(): number
  getColorSpace?(): number
  delete(): void
}

type DecoderClass = new () => WasmDecoder
type Factory = (opts: { print: (s: string) => void; printErr: (s: string) => void }) => Promise<Record<string, unknown>>

const quiet = (): void => {}

const cache = new Map<string, Promise<DecoderClass>>()

function load(pkg: string, className: string): Promise<DecoderClass> {
  let p = cache.get(pkg)
  if (!p) {
    const factory = requireHere(`${pkg}/decodewasmjs`) as Factory
    // OpenJPEG logs '[INFO] ...' for every frame; keep stdout clean for the CLI's JSON.
    p = factory({ print: quiet, printErr: quiet }).then((mod) => mod[className] as DecoderClass)
    // A failed start should not poison the process: let the next call retry.
    p.catch(() => cache.delete(pkg))
    cache.set(pkg, p)
  }
  return p
}

/** OpenJPEG (JPEG 2000, including HTJ2K Part 15 code-blocks). */
export function openJpegDecoder(): Promise<DecoderClass> {
  return load('@cornerstonejs/codec-openjpeg', 'J2KDecoder')
}

/** CharLS (JPEG-LS lossless and near-lossless). */
export function charlsDecoder(): Promise<DecoderClass> {
  return load('@cornerstonejs/codec-charls', 'JpegLSDecoder')
}

/** libjpeg-turbo, 8-bit DCT JPEG only. */
export function libjpegTurboDecoder(): Promise<DecoderClass> {
  return load('@cornerstonejs/codec-libjpeg-turbo-8bit', 'JPEGDecoder')
}

/**
 * Runs one decode in WASM memory and copies the result out, since the decoder's buffers die with it.
 * @returns the frame info and a JS-owned copy of the decoded bytes.
 */
export function runWasmDecode(
  Decoder: DecoderClass,
  data: Uint8Array
): { info: WasmFrameInfo; bytes: Uint8Array; interleave?: number } {
  const dec = new Decoder()
  try {
    dec.getEncodedBuffer(data.length).set(data)
    dec.decode()
    const info = dec.getFrameInfo()
    const interleave = dec.getInterleaveMode?.()
    const bytes = dec.getDecodedBuffer().slice()
    return { info, bytes, interleave }
  } finally {
    dec.delete()
  }
}

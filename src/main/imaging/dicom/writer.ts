import { deflateRawSync } from 'node:zlib'
import { AppError } from '../../../shared/errors'
import { TEXT_VRS } from './dictionary'

/**
 * A small DICOM Part 10 writer. Product code because the benches generate their own series with it
 * (src/main/bench/imaging.ts, viewer.ts, inference.ts, datasets.ts via `encodeDicom` from imaging/index.ts);
 * the tests use it for synthetic data too. The app itself never writes DICOM. Writes Explicit/Implicit VR
 * Little Endian, Explicit VR Big Endian, Deflated Explicit VR Little Endian, and encapsulated (compressed)
 * pixel data from frames the caller already encoded.
 */

/** A value for one element: strings for text VRs, numbers for binary numeric VRs, typed arrays for O* VRs, items for SQ. */
export type WriteValue =
  | string
  | string[]
  | number
  | number[]
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | WriteElement[][]

/** One element; `tag` is 0xGGGGEEEE, `vr` the two-letter VR written for explicit syntaxes. */
export interface WriteElement {
  tag: number
  vr: string
  value: WriteValue
}

/** How the file starts. 'standard': 128-byte preamble + 'DICM'; 'no-preamble': 'DICM' at byte 0; 'raw': no meta group at all. */
export type FileLayout = 'standard' | 'no-preamble' | 'raw'

/** Options for `encodeDicom`. */
export interface WriteDicomOptions {
  /** (0002,0010); default Explicit VR Little Endian. */
  transferSyntaxUID?: string
  layout?: FileLayout
  /** Encoded frames for encapsulated syntaxes; replaces any (7FE0,0010) in `elements`. */
  encapsulatedFrames?: Uint8Array[][]
  /** Write a Basic Offset Table for encapsulated frames (default true). */
  basicOffsetTable?: boolean
}

const IMPLICIT_LE = '1.2.840.10008.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const DEFLATED_LE = '1.2.840.10008.1.2.1.99'
const EXPLICIT_BE = '1.2.840.10008.1.2.2'
const IMPLEMENTATION_UID = '1.2.826.0.1.3680043.10.1419.1'

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])
const NUMBER_SIZES: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 }

/** Growable little buffer writer with a fixed byte order. */
class Sink {
  private chunks: Uint8Array[] = []
  length = 0
  constructor(readonly bigEndian: boolean) {}

  bytes(b: Uint8Array): void {
    this.chunks.push(b)
    this.length += b.length
  }

  u16(v: number): void {
    const b = new Uint8Array(2)
    new DataView(b.buffer).setUint16(0, v, !this.bigEndian)
    this.bytes(b)
  }

  u32(v: number): void {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, v >>> 0, !this.bigEndian)
    this.bytes(b)
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length)
    let at = 0
    for (const c of this.chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}

/** DS allows 16 characters; shorten long decimals instead of writing an invalid value. */
function formatDs(n: number): string {
  const s = String(n)
  if (s.length <= 16) return s
  for (let p = 15; p > 1; p--) {
    const t = String(Number(n.toPrecision(p)))
    if (t.length <= 16) return t
  }
  return n.toExponential(8)
}

function encodeText(vr: string, value: WriteValue, tagHex: string): Uint8Array {
  const parts = Array.isArray(value) ? value : [value]
  const text = parts
    .map((v) => {
      if (typeof v === 'number') return vr === 'DS' ? formatDs(v) : String(Math.round(v))
      if (typeof v === 'string') return v
      throw new AppError('INVALID_ARGUMENT', `writer: ${tagHex} ${vr} needs string or number values`)
    })
    .join('\\')
  const raw = Buffer.from(text, 'latin1')
  if (raw.length % 2 === 0) return raw
  // Odd lengths are padded: UIDs with NUL, text with a space (PS3.5 §6.2).
  const padded = new Uint8Array(raw.length + 1)
  padded.set(raw)
  padded[raw.length] = vr === 'UI' ? 0 : 0x20
  return padded
}

function encodeNumbers(vr: string, value: WriteValue, bigEndian: boolean, tagHex: string): Uint8Array {
  const list = typeof value === 'number' ? [value] : value
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'number')) {
    throw new AppError('INVALID_ARGUMENT', `writer: ${tagHex} ${vr} needs numeric values`)
  }
  const size = NUMBER_SIZES[vr]
  const out = new Uint8Array(size * list.length)
  const dv = new DataView(out.buffer)
  const le = !bigEndian
  list.forEach((v, i) => {
    const at = i * size
    const n = v as number
    if (vr === 'US') dv.setUint16(at, n, le)
    else if (vr === 'SS') dv.setInt16(at, n, le)
    else if (vr === 'UL') dv.setUint32(at, n, le)
    else if (vr === 'SL') dv.setInt32(at, n, le)
    else if (vr === 'FL') dv.setFloat32(at, n, le)
    else if (vr === 'FD') dv.setFloat64(at, n, le)
    else {
      // AT: group then element, each 16-bit.
      dv.setUint16(at, n >>> 16, le)
      dv.setUint16(at + 2, n & 0xffff, le)
    }
  })
  return out
}

/** Typed array → bytes in the target byte order, padded to even length. */
function encodeBinary(value: WriteValue, bigEndian: boolean, tagHex: string): Uint8Array {
  if (!ArrayBuffer.isView(value)) throw new AppError('INVALID_ARGUMENT', `writer: ${tagHex} needs a typed array`)
  const src = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  const width = value.BYTES_PER_ELEMENT
  const out = new Uint8Array(src.length + (src.length % 2))
  out.set(src)
  if (bigEndian && width > 1) {
    for (let i = 0; i < src.length; i += width) out.subarray(i, i + width).reverse()
  }
  return out
}

interface Syntax {
  explicit: boolean
  bigEndian: boolean
}

function writeHeader(sink: Sink, tag: number, vr: string, length: number, syn: Syntax): void {
  sink.u16(tag >>> 16)
  sink.u16(tag & 0xffff)
  if (!syn.explicit) {
    sink.u32(length)
    return
  }
  sink.bytes(Buffer.from(vr, 'latin1'))
  if (LONG_VRS.has(vr)) {
    sink.u16(0)
    sink.u32(length)
  } else {
    if (length > 0xffff) throw new AppError('INVALID_ARGUMENT', `writer: ${vr} value of ${length} bytes is too long`)
    sink.u16(length)
  }
}

function encodeElements(elements: WriteElement[], syn: Syntax): Uint8Array {
  const sink = new Sink(syn.bigEndian)
  const sorted = [...elements].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0))
  for (const el of sorted) {
    const tagHex = el.tag.toString(16).padStart(8, '0')
    let body: Uint8Array
    if (el.vr === 'SQ') {
      const items = el.value as WriteElement[][]
      const seq = new Sink(syn.bigEndian)
      for (const item of items) {
        const encoded = encodeElements(item, syn)
        seq.u16(0xfffe)
        seq.u16(0xe000)
        seq.u32(encoded.length)
        seq.bytes(encoded)
      }
      body = seq.concat()
    } else if (TEXT_VRS.has(el.vr)) body = encodeText(el.vr, el.value, tagHex)
    else if (el.vr in NUMBER_SIZES) body = encodeNumbers(el.vr, el.value, syn.bigEndian, tagHex)
    else body = encodeBinary(el.value, syn.bigEndian, tagHex)
    writeHeader(sink, el.tag, el.vr, body.length, syn)
    sink.bytes(body)
  }
  return sink.concat()
}

/** Pixel Data as an encapsulated sequence: offset-table item, then one or more fragments per frame (PS3.5 A.4). */
function encodeEncapsulated(frames: Uint8Array[][], withOffsets: boolean): Uint8Array {
  const sink = new Sink(false)
  const item = (data: Uint8Array): void => {
    sink.u16(0xfffe)
    sink.u16(0xe000)
    const padded = data.length % 2 ? Uint8Array.from([...data, 0]) : data
    sink.u32(padded.length)
    sink.bytes(padded)
  }
  sink.u16(0x7fe0)
  sink.u16(0x0010)
  sink.bytes(Buffer.from('OB', 'latin1'))
  sink.u16(0)
  sink.u32(0xffffffff)
  const offsets: number[] = []
  let at = 0
  for (const frags of frames) {
    offsets.push(at)
    for (const f of frags) at += 8 + f.length + (f.length % 2)
  }
  item(withOffsets ? new Uint8Array(Uint32Array.from(offsets).buffer) : new Uint8Array(0))
  for (const frags of frames) for (const f of frags) item(f)
  sink.u16(0xfffe)
  sink.u16(0xe0dd)
  sink.u32(0)
  return sink.concat()
}

function findString(elements: WriteElement[], tag: number): string {
  const v = elements.find((e) => e.tag === tag)?.value
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : ''
}

/**
 * Encodes a data set as a DICOM file. The File Meta group (0002,xxxx) is generated from
 * SOP Class UID (0008,0016) and SOP Instance UID (0008,0018) in `elements`.
 * @returns the file's bytes.
 */
export function encodeDicom(elements: WriteElement[], opts: WriteDicomOptions = {}): Uint8Array {
  const ts = opts.transferSyntaxUID ?? EXPLICIT_LE
  const layout = opts.layout ?? 'standard'
  const syn: Syntax = { explicit: ts !== IMPLICIT_LE, bigEndian: ts === EXPLICIT_BE }
  const body = elements.filter((e) => e.tag >>> 16 !== 0x0002 && (!opts.encapsulatedFrames || e.tag !== 0x7fe00010))
  let dataset = encodeElements(body, syn)
  if (opts.encapsulatedFrames) {
    const pixels = encodeEncapsulated(opts.encapsulatedFrames, opts.basicOffsetTable ?? true)
    dataset = Buffer.concat([dataset, pixels])
  }
  if (ts === DEFLATED_LE) dataset = deflateRawSync(dataset)
  if (layout === 'raw') return dataset

  const metaBody = encodeElements(
    [
      { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
      { tag: 0x00020002, vr: 'UI', value: findString(elements, 0x00080016) },
      { tag: 0x00020003, vr: 'UI', value: findString(elements, 0x00080018) },
      { tag: 0x00020010, vr: 'UI', value: ts },
      { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_UID },
      { tag: 0x00020013, vr: 'SH', value: 'NEUROPATH' }
    ],
    { explicit: true, bigEndian: false }
  )
  const groupLength = encodeElements([{ tag: 0x00020000, vr: 'UL', value: metaBody.length }], {
    explicit: true,
    bigEndian: false
  })
  const head = layout === 'standard' ? new Uint8Array(128) : new Uint8Array(0)
  return Buffer.concat([head, Buffer.from('DICM', 'latin1'), groupLength, metaBody, dataset])
}

export { IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE, EXPLICIT_BE }

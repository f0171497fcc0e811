import { open } from 'node:fs/promises'
import { inflateRawSync } from 'node:zlib'
import * as dicomParser from 'dicom-parser'
import type { DataSet, Element, ParseDicomOptions } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import { lookupTag, tagNumber } from './dictionary'
import { sniffDicomLayout, type DicomLayout } from './sniff'

/** A parsed DICOM stream plus how it was laid out. */
export interface ParsedDicom {
  path: string
  dataSet: DataSet
  /** (0002,0010), or the syntax inferred for bare data sets. */
  transferSyntaxUID: string
  layout: DicomLayout
  /** True when parsing stopped at Pixel Data (7FE0,0010) and the pixel bytes were not read. */
  headerOnly: boolean
}

/** Tag key dicom-parser uses for Pixel Data (7FE0,0010). */
export const PIXEL_DATA = 'x7fe00010'

/** How much of a file a header read tries first; most headers are a few kB. */
const HEADER_CHUNK = 64 * 1024

function reasonOf(err: unknown): string {
  const inner = (err as { exception?: unknown })?.exception ?? err
  const msg = inner instanceof Error ? inner.message : String(inner)
  return msg.replace(/^dicomParser[.:]\w*:\s*/, '')
}

function enoent(path: string, err: unknown): AppError {
  const code = (err as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') return new AppError('NOT_FOUND', `${path}: no such file`)
  if (code === 'EISDIR') return new AppError('INVALID_ARGUMENT', `${path}: is a directory, not a file`)
  return new AppError('IO', `${path}: cannot read (${code ?? reasonOf(err)})`)
}

function inflater(path: string) {
  return (bytes: Uint8Array, position: number): Buffer => {
    try {
      const inflated = inflateRawSync(bytes.subarray(position))
      return Buffer.concat([bytes.subarray(0, position), inflated])
    } catch (err) {
      throw new AppError('CORRUPT', `${path}: deflated data set does not inflate (${reasonOf(err)})`)
    }
  }
}

/**
 * Parses DICOM bytes with dicom-parser, accepting Part 10 files with or without preamble and bare data sets.
 * @param untilPixelData stop before reading Pixel Data (7FE0,0010), for fast header reads.
 * @throws AppError CORRUPT naming the file when the bytes are not DICOM or do not parse.
 */
export function parseDicomBytes(bytes: Buffer, path: string, untilPixelData: boolean): ParsedDicom {
  const layout = sniffDicomLayout(bytes, bytes.length)
  if (!layout)
    throw new AppError('CORRUPT', `${path}: not a DICOM file (no 'DICM' prefix and no recognisable data set)`)
  let input = bytes
  const options: ParseDicomOptions = {
    untilTag: untilPixelData ? PIXEL_DATA : undefined,
    vrCallback: ((tag: string) => lookupTag(tagNumber(tag))?.vr) as unknown as ParseDicomOptions['vrCallback'],
    inflater: inflater(path) as unknown as ParseDicomOptions['inflater']
  }
  // dicom-parser expects the prefix at 128; give preamble-less streams one rather than copying its parser.
  if (layout === 'no-preamble') input = Buffer.concat([Buffer.alloc(128), bytes])
  else if (layout === 'raw-meta') input = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), bytes])
  else if (layout === 'raw-explicit') options.TransferSyntaxUID = '1.2.840.10008.1.2.1'
  else if (layout === 'raw-implicit') options.TransferSyntaxUID = '1.2.840.10008.1.2'
  let dataSet: DataSet
  try {
    dataSet = dicomParser.parseDicom(input, options)
  } catch (err) {
    if (err instanceof AppError) throw err
    const reason = reasonOf(err)
    // dicom-parser reports a short file as an overrun; say so in words a user recognises.
    const cut = /overrun|past end|end of buffer|outside the bounds|out of range/i.test(reason)
    throw new AppError('CORRUPT', `${path}: DICOM data set does not parse${cut ? ', file truncated' : ''} (${reason})`)
  }
  const transferSyntaxUID =
    dataSet.string('x00020010')?.replace(/\0/g, '').trim() ?? options.TransferSyntaxUID ?? '1.2.840.10008.1.2.1'
  return { path, dataSet, transferSyntaxUID, layout, headerOnly: untilPixelData && PIXEL_DATA in dataSet.elements }
}

/** Last byte any top-level element claims, to detect truncated files that dicom-parser lets through. */
function checkBounds(parsed: ParsedDicom): void {
  const size = parsed.dataSet.byteArray.length
  for (const [key, el] of Object.entries(parsed.dataSet.elements) as [string, Element][]) {
    if (parsed.headerOnly && key === PIXEL_DATA) continue
    if (el.hadUndefinedLength) continue
    if (el.dataOffset + el.length > size) {
      throw new AppError(
        'CORRUPT',
        `${parsed.path}: truncated; element (${key.slice(1, 5)},${key.slice(5)}) needs ${el.dataOffset + el.length} bytes, file has ${size}`
      )
    }
  }
}

/**
 * Reads a whole file.
 * @throws AppError NOT_FOUND / INVALID_ARGUMENT (a directory) / IO naming the path.
 */
export async function readFileBytes(path: string): Promise<Buffer> {
  // open + one sized read costs about half of fs.promises.readFile, which reads in chunks.
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    throw enoent(path, err)
  }
  try {
    const { size } = await fh.stat()
    const buf = Buffer.allocUnsafe(size)
    let got = 0
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got)
      if (bytesRead === 0) break
      got += bytesRead
    }
    return got === size ? buf : buf.subarray(0, got)
  } catch (err) {
    throw enoent(path, err)
  } finally {
    await fh.close()
  }
}

/** Fully parses DICOM bytes already in memory and checks no element runs past the end. */
export function parseDicomFull(bytes: Buffer, path: string): ParsedDicom {
  const parsed = parseDicomBytes(bytes, path, false)
  checkBounds(parsed)
  return parsed
}

/**
 * Reads and fully parses a DICOM file (pixel data included, not decoded).
 * @throws AppError NOT_FOUND / IO / CORRUPT naming the file.
 */
export async function readDicomFile(path: string): Promise<ParsedDicom> {
  return parseDicomFull(await readFileBytes(path), path)
}

/**
 * Parses a DICOM file's header only, stopping at Pixel Data (7FE0,0010). Reads the first 64 kB and only
 * falls back to the whole file when the header is longer, deflated, or has no pixel data.
 */
export async function readDicomHeader(path: string): Promise<ParsedDicom> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (err) {
    throw enoent(path, err)
  }
  let bytes: Buffer
  let whole: boolean
  try {
    const { size } = await fh.stat()
    const want = Math.min(size, HEADER_CHUNK)
    bytes = Buffer.alloc(want)
    const { bytesRead } = await fh.read(bytes, 0, want, 0)
    bytes = bytes.subarray(0, bytesRead)
    whole = bytesRead >= size
  } catch (err) {
    throw enoent(path, err)
  } finally {
    await fh.close()
  }
  if (!whole) {
    try {
      const parsed = parseDicomBytes(bytes, path, true)
      if (parsed.headerOnly) return parsed
    } catch (err) {
      if (err instanceof AppError && /not a DICOM file/.test(err.message)) throw err
      // A header longer than the chunk (or deflated) fails on the cut; the full read below decides.
    }
    bytes = await readFileBytes(path)
  }
  const parsed = parseDicomBytes(bytes, path, true)
  checkBounds(parsed)
  return parsed
}

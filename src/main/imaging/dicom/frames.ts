import type { DataSet, Element, Fragment } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { PixelModule } from './pixel-module'
import { PIXEL_DATA } from './parse'
import { key } from './values'

/** Bytes one native (uncompressed) frame occupies: YBR_FULL_422 keeps 2 values per pixel (PS3.3 C.7.6.3.1.2). */
export function nativeFrameLength(pm: PixelModule): number {
  const values = pm.photometric === 'YBR_FULL_422' ? 2 : pm.samplesPerPixel
  // 1-bit frames are packed across frame boundaries; see unpackBitFrame, which reads them.
  return Math.ceil((pm.rows * pm.columns * values * pm.bitsAllocated) / 8)
}

/** The Pixel Data element, or an UNSUPPORTED error when the file carries no (integer) pixel data. */
export function pixelDataElement(ds: DataSet, where: string): Element {
  const el = ds.elements[PIXEL_DATA]
  if (el) return el
  throw new AppError('UNSUPPORTED', `${where}: no Pixel Data (7FE0,0010); the file holds no image`)
}

/**
 * The bytes of one native frame, a view into the file buffer.
 * @throws AppError CORRUPT when the element is shorter than the frame needs (truncated file).
 */
export function nativeFrameBytes(ds: DataSet, el: Element, pm: PixelModule, frame: number, where: string): Uint8Array {
  const length = nativeFrameLength(pm)
  const start = frame * length
  const available = Math.min(el.length, ds.byteArray.length - el.dataOffset)
  if (start + length > available) {
    throw new AppError(
      'CORRUPT',
      `${where}: Pixel Data holds ${available} bytes, frame ${frame} needs bytes ${start}–${start + length} (truncated?)`
    )
  }
  return new Uint8Array(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset + start, length)
}

function concat(ds: DataSet, frags: Fragment[]): Uint8Array {
  if (frags.length === 1) {
    const f = frags[0]
    return new Uint8Array(ds.byteArray.buffer, ds.byteArray.byteOffset + f.position, f.length)
  }
  const out = new Uint8Array(frags.reduce((n, f) => n + f.length, 0))
  let at = 0
  for (const f of frags) {
    out.set(ds.byteArray.subarray(f.position, f.position + f.length), at)
    at += f.length
  }
  return out
}

/** Starts of codestreams: JPEG SOI (FFD8), J2K SOC (FF4F), JP2 box, or an RLE header's segment count. */
function startsFrame(ds: DataSet, f: Fragment): boolean {
  const b = ds.byteArray
  const p = f.position
  if (f.length < 2) return false
  return (
    (b[p] === 0xff && (b[p + 1] === 0xd8 || b[p + 1] === 0x4f)) || (b[p] === 0 && b[p + 1] === 0 && b[p + 4] === 0x6a)
  )
}

/** Extended Offset Table (7FE0,0001) as numbers, if present (PS3.5 A.4, 64-bit offsets). */
function extendedOffsets(ds: DataSet): number[] | undefined {
  const el = ds.elements[key(0x7fe00001)]
  if (!el || el.length < 8) return undefined
  const dv = new DataView(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length)
  const out: number[] = []
  for (let i = 0; i < el.length / 8; i++) out.push(Number(dv.getBigUint64(i * 8, true)))
  return out
}

/**
 * The compressed bytes of one frame: its fragments, concatenated (PS3.5 A.4). Fragments are grouped by the
 * Basic or Extended Offset Table, else one fragment per frame, else by codestream start markers.
 * @throws AppError CORRUPT when the frame cannot be located.
 */
export function encapsulatedFrameBytes(
  ds: DataSet,
  el: Element,
  frames: number,
  frame: number,
  where: string
): Uint8Array {
  const frags = el.fragments ?? []
  if (!el.encapsulatedPixelData || frags.length === 0) {
    throw new AppError('CORRUPT', `${where}: compressed transfer syntax but Pixel Data is not encapsulated`)
  }
  const table = el.basicOffsetTable?.length ? el.basicOffsetTable : extendedOffsets(ds)
  let mine: Fragment[]
  if (table && table.length >= frames) {
    const start = table[frame]
    const end = frame + 1 < frames ? table[frame + 1] : Infinity
    mine = frags.filter((f) => f.offset >= start && f.offset < end)
  } else if (frames === 1) mine = frags
  else if (frags.length === frames) mine = [frags[frame]]
  else {
    const groups: Fragment[][] = []
    for (const f of frags) {
      if (groups.length === 0 || startsFrame(ds, f)) groups.push([f])
      else groups[groups.length - 1].push(f)
    }
    if (groups.length !== frames) {
      throw new AppError(
        'CORRUPT',
        `${where}: cannot split ${frags.length} fragments into ${frames} frames (no offset table)`
      )
    }
    mine = groups[frame]
  }
  if (!mine.length) throw new AppError('CORRUPT', `${where}: no fragments found for frame ${frame}`)
  const last = mine[mine.length - 1]
  if (last.position + last.length > ds.byteArray.length) {
    throw new AppError('CORRUPT', `${where}: frame ${frame} runs past the end of the file (truncated)`)
  }
  return concat(ds, mine)
}

import type { DataSet } from 'dicom-parser'
import type { ViewerVoiLut } from '../../../shared/contract/imaging'
import { AppError } from '../../../shared/errors'
import { fromFunctionalGroups } from './pixel-module'
import { key, text, ushorts } from './values'

const VOI_LUT_SEQUENCE = 0x00283010
const FRAME_VOI_LUT = 0x00289132
const LUT_DESCRIPTOR = 0x00283002
const LUT_EXPLANATION = 0x00283003
const LUT_DATA = 0x00283006

/** Most items read from one VOI LUT Sequence: files carry one to three; more is a corrupt or hostile file. */
const MAX_VOI_LUTS = 8

/**
 * The items of the VOI LUT Sequence (0028,3010) that apply to frame `frame`: top level, else inside the
 * frame's Frame VOI LUT (0028,9132) functional group (per-frame, then shared). Each item needs LUT Descriptor
 * (0028,3002) [entries (0 means 65536), first modality value mapped, bits per entry 8..16] and LUT Data
 * (0028,3006) as 16-bit words (or one byte per entry when the data is exactly that long, as some 8-bit
 * writers store it).
 * @param signed read the first value mapped as SS: the modality values may be negative.
 * @throws AppError CORRUPT naming the file, the item and the element when an item is incomplete or short.
 */
export function readVoiLuts(
  ds: DataSet,
  frame: number,
  signed: boolean,
  bigEndian: boolean,
  where: string
): ViewerVoiLut[] {
  const items = fromFunctionalGroups(ds, frame, FRAME_VOI_LUT, (d) => {
    const el = d.elements[key(VOI_LUT_SEQUENCE)]
    return el ? (el.items ?? []).map((i) => i.dataSet).filter((x): x is DataSet => !!x) : undefined
  })
  if (!items) return []
  return items.slice(0, MAX_VOI_LUTS).map((item, n) => readOne(item, n + 1, signed, bigEndian, where))
}

function readOne(item: DataSet, n: number, signed: boolean, bigEndian: boolean, where: string): ViewerVoiLut {
  const desc = ushorts(item, LUT_DESCRIPTOR)
  const el = item.elements[key(LUT_DATA)]
  const name = `VOI LUT Sequence (0028,3010) item ${n}`
  if (desc.length < 3 || !el) {
    throw new AppError('CORRUPT', `${where}: ${name} lacks LUT Descriptor (0028,3002) or LUT Data (0028,3006)`)
  }
  const count = desc[0] === 0 ? 65536 : desc[0]
  const firstMapped = signed && desc[1] > 0x7fff ? desc[1] - 0x10000 : desc[1]
  const bits = desc[2]
  if (bits < 8 || bits > 16) {
    throw new AppError('CORRUPT', `${where}: ${name} LUT Descriptor (0028,3002) has ${bits} bits per entry, not 8..16`)
  }
  // A truncated file may declare more LUT Data than it holds: read only what is there.
  const available = Math.max(0, Math.min(el.length, item.byteArray.length - el.dataOffset))
  const bytes = item.byteArray.subarray(el.dataOffset, el.dataOffset + available)
  const data = new Uint16Array(count)
  const max = 2 ** bits - 1
  if (bits === 8 && available === count) {
    for (let i = 0; i < count; i++) data[i] = bytes[i]
  } else if (available >= count * 2) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, count * 2)
    // Entries above 2^bits − 1 are clamped so the display never leaves 0..255.
    for (let i = 0; i < count; i++) data[i] = Math.min(max, dv.getUint16(i * 2, !bigEndian))
  } else {
    throw new AppError('CORRUPT', `${where}: ${name} LUT Data (0028,3006) has ${available} bytes for ${count} entries`)
  }
  const lut: ViewerVoiLut = { firstMapped, bits, data }
  const explanation = text(item, LUT_EXPLANATION)
  if (explanation) lut.explanation = explanation
  return lut
}

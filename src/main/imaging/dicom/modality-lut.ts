import type { DataSet } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { AnyStoredArray } from '../types'
import { bytesOf, firstItem, key, text, ushorts } from './values'

const MODALITY_LUT_SEQUENCE = 0x00283000
const LUT_DESCRIPTOR = 0x00283002
const MODALITY_LUT_TYPE = 0x00283004
const LUT_DATA = 0x00283006

/** A Modality LUT (PS3.3 C.11.1): stored value `firstMapped + i` → `entries[i]`, ends clamped. */
export interface ModalityLut {
  firstMapped: number
  entries: Float32Array
  /** Modality LUT Type (0028,3004), e.g. 'HU', 'OD', 'US'. */
  type?: string
}

/**
 * The first item of the Modality LUT Sequence (0028,3000), when the file has one instead of a rescale.
 * LUT Descriptor (0028,3002): entries (0 means 65536), first stored value mapped (SS for signed pixels),
 * bits per entry (8 or 16); LUT Data (0028,3006) as 16-bit words.
 * @throws AppError CORRUPT naming the file and the element when the item is incomplete or short.
 */
export function readModalityLut(
  ds: DataSet,
  signed: boolean,
  bigEndian: boolean,
  where: string
): ModalityLut | undefined {
  if (!ds.elements[key(MODALITY_LUT_SEQUENCE)]) return undefined
  const item = firstItem(ds, MODALITY_LUT_SEQUENCE)
  const desc = item ? ushorts(item, LUT_DESCRIPTOR) : []
  const data = item ? bytesOf(item, LUT_DATA) : undefined
  if (!item || desc.length < 3 || !data) {
    throw new AppError(
      'CORRUPT',
      `${where}: Modality LUT Sequence (0028,3000) lacks an item with LUT Descriptor (0028,3002) and LUT Data (0028,3006)`
    )
  }
  const count = desc[0] === 0 ? 65536 : desc[0]
  const firstMapped = signed && desc[1] > 0x7fff ? desc[1] - 0x10000 : desc[1]
  const bits = desc[2]
  if (bits < 8 || bits > 16)
    throw new AppError('CORRUPT', `${where}: Modality LUT Descriptor (0028,3002) has ${bits} bits per entry, not 8..16`)
  if (data.length < count * 2) {
    throw new AppError(
      'CORRUPT',
      `${where}: Modality LUT Data (0028,3006) has ${data.length} bytes for ${count} entries`
    )
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const entries = new Float32Array(count)
  for (let i = 0; i < count; i++) entries[i] = dv.getUint16(i * 2, !bigEndian)
  const type = text(item, MODALITY_LUT_TYPE)
  return type ? { firstMapped, entries, type } : { firstMapped, entries }
}

/** Maps stored values through a Modality LUT; values outside the table take its first or last entry. */
export function applyModalityLut(stored: AnyStoredArray, lut: ModalityLut): Float32Array {
  const out = new Float32Array(stored.length)
  const last = lut.entries.length - 1
  for (let i = 0; i < stored.length; i++) {
    const at = stored[i] - lut.firstMapped
    out[i] = lut.entries[at <= 0 ? 0 : at >= last ? last : at]
  }
  return out
}

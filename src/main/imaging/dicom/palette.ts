import type { DataSet } from 'dicom-parser'
import { AppError } from '../../../shared/errors'
import type { StoredArray } from '../types'
import { applyPalette, readPaletteChannel, type PaletteChannel } from './color'
import { bytesOf, key, ushorts } from './values'

const DESCRIPTORS = [0x00281101, 0x00281102, 0x00281103]
const DATA = [0x00281201, 0x00281202, 0x00281203]
const SEGMENTED = [0x00281221, 0x00281222, 0x00281223]

/**
 * PALETTE COLOR (PS3.3 C.7.6.3.1.5): maps each stored index through the red, green and blue LUTs.
 * @returns RGB interleaved, 0..255.
 * @throws AppError CORRUPT when the tables are missing, UNSUPPORTED for segmented tables.
 */
export function paletteToRgb(
  ds: DataSet,
  stored: StoredArray,
  signed: boolean,
  bigEndian: boolean,
  where: string
): Float32Array {
  if (SEGMENTED.some((t) => ds.elements[key(t)])) {
    throw new AppError('UNSUPPORTED', `${where}: segmented palette colour LUTs (0028,122x) are not supported`)
  }
  const channels: PaletteChannel[] = DESCRIPTORS.map((tag, i) => {
    const desc = ushorts(ds, tag)
    const data = bytesOf(ds, DATA[i])
    if (desc.length < 3 || !data) {
      throw new AppError(
        'CORRUPT',
        `${where}: PALETTE COLOR without LUT descriptor/data (0028,110${i + 1}/120${i + 1})`
      )
    }
    // The first-mapped value is SS when pixels are signed (PS3.3 C.7.6.3.1.5).
    if (signed && desc[1] > 0x7fff) desc[1] -= 0x10000
    return readPaletteChannel(desc, data, bigEndian, where)
  })
  return applyPalette(stored, channels[0], channels[1], channels[2])
}

import type { ImageHeader } from '../types'
import { readDicomHeader } from './parse'
import { fromFunctionalGroups } from './pixel-module'
import { number, numbers, text, ushort } from './values'

const PLANE_POSITION = 0x00209113
const PLANE_ORIENTATION = 0x00209116

/**
 * Indexing header of a DICOM file, read without touching Pixel Data. Position and orientation fall back to
 * the enhanced multi-frame functional groups (frame 0) when absent at top level.
 */
export async function readDicomImageHeader(path: string): Promise<ImageHeader> {
  const { dataSet: ds, transferSyntaxUID } = await readDicomHeader(path)
  const vec = (tag: number, len: number) => (d: typeof ds) => {
    const v = numbers(d, tag)
    return v.length === len ? v : undefined
  }
  const header: ImageHeader = {
    kind: 'dicom',
    width: ushort(ds, 0x00280011) ?? 0,
    height: ushort(ds, 0x00280010) ?? 0,
    frames: Math.max(1, Math.round(number(ds, 0x00280008) ?? 1)),
    transferSyntaxUID
  }
  const set = <K extends keyof ImageHeader>(k: K, v: ImageHeader[K] | undefined): void => {
    if (v !== undefined) header[k] = v
  }
  set('modality', text(ds, 0x00080060))
  set('patientId', text(ds, 0x00100020))
  set('patientName', text(ds, 0x00100010))
  set('patientBirthDate', text(ds, 0x00100030))
  set('studyInstanceUID', text(ds, 0x0020000d))
  set('seriesInstanceUID', text(ds, 0x0020000e))
  set('sopInstanceUID', text(ds, 0x00080018))
  set('instanceNumber', number(ds, 0x00200013))
  set('imagePositionPatient', fromFunctionalGroups(ds, 0, PLANE_POSITION, vec(0x00200032, 3)))
  set('imageOrientationPatient', fromFunctionalGroups(ds, 0, PLANE_ORIENTATION, vec(0x00200037, 6)))
  set('studyDate', text(ds, 0x00080020))
  set('seriesNumber', number(ds, 0x00200011))
  set('seriesDescription', text(ds, 0x0008103e))
  return header
}

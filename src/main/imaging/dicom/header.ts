import type { DataSet } from 'dicom-parser'
import type { ImageHeader } from '../types'
import { checkPerFrameItems, frameOrder, framePlane } from './frame-geometry'
import { readFrameAttributes } from './pixel-module'
import { readDicomHeader } from './parse'
import { number, text, ushort } from './values'
import { isSegmentation, readSegIndex } from '../seg/seg-header'

/**
 * Indexing header of a DICOM file, read without touching Pixel Data. Position and orientation fall back to
 * the enhanced multi-frame functional groups (frame 0, i.e. the first frame stored) when absent at top
 * level; an enhanced file also gets its frames' display order.
 * @throws AppError CORRUPT when the Per-frame Functional Groups do not have one item per frame.
 */
export async function readDicomImageHeader(path: string): Promise<ImageHeader> {
  const { dataSet: ds, transferSyntaxUID } = await readDicomHeader(path)
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
  checkPerFrameItems(ds, header.frames, path)
  const plane = framePlane(ds, 0)
  set('imagePositionPatient', plane.imagePositionPatient)
  set('imageOrientationPatient', plane.imageOrientationPatient)
  set('pixelSpacing', readFrameAttributes(ds, 0).pixelSpacing)
  set('frameOfReferenceUID', text(ds, 0x00200052))
  set('frameOrder', frameOrder(ds, header.frames))
  set('studyDate', text(ds, 0x00080020))
  set('seriesNumber', number(ds, 0x00200011))
  set('seriesDescription', text(ds, 0x0008103e))
  set('sopClassUID', text(ds, 0x00080016))
  if (isSegmentation(ds)) set('segmentation', segmentationSummary(ds, path))
  return header
}

/**
 * What a SEG labels, for linking it to its series in the viewer; undefined when its segment or per-frame
 * groups do not read (it then still shows on its own, as a 1-bit image).
 */
function segmentationSummary(ds: DataSet, path: string): ImageHeader['segmentation'] {
  try {
    const seg = readSegIndex(ds, path)
    return {
      referencedSeries: seg.referencedSeries,
      referencedInstances: seg.referencedInstances,
      segments: seg.segments
    }
  } catch {
    return undefined
  }
}

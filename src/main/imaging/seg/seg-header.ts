import type { DataSet } from 'dicom-parser'
import type { SegmentInfo } from '../../../shared/contract/imaging'
import { AppError } from '../../../shared/errors'
import { checkPerFrameItems, framePlane } from '../dicom/frame-geometry'
import { fromFunctionalGroups } from '../dicom/pixel-module'
import { item, key, number, numbers, text, ushort, ushorts } from '../dicom/values'
import { defaultSegmentColor, dicomLabToRgb } from './cielab'

/** Segmentation Storage SOP Class UID (PS3.4 B.5). */
export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4'

const SEGMENT_SEQUENCE = 0x00620002
const REFERENCED_SERIES = 0x00081115
const REFERENCED_INSTANCES = 0x0008114a
const PER_FRAME = 0x52009230
const SEGMENT_IDENTIFICATION = 0x0062000a
const DERIVATION_IMAGE = 0x00089124
const SOURCE_IMAGE = 0x00082112

/** Most segments read from one SEG; more is a corrupt or hostile file (real ones carry a few dozen at most). */
export const MAX_SEGMENTS = 255

/** What one SEG frame labels: its segment and the image it was derived from. */
export interface SegFrame {
  /** Referenced Segment Number (0062,000B) from the frame's Segment Identification Sequence (0062,000A). */
  segment: number
  /**
   * Source images: Referenced SOP Instance UID (0008,1155) and, for multi-frame sources, Referenced Frame Number
   * (0008,1160) (1-based), from Derivation Image (0008,9124) → Source Image Sequence (0008,2112).
   */
  sources: { sopInstanceUid: string; frame?: number }[]
  /** Image Position (Patient) (0020,0032) from the frame's Plane Position (0020,9113), mm. */
  position?: number[]
}

/** A DICOM SEG's segments and references, read without its pixels. */
export interface SegIndex {
  rows: number
  columns: number
  /** Segmentation Type (0062,0001): 'BINARY' or 'FRACTIONAL'. */
  type: string
  /** Maximum Fractional Value (0062,000E) of a FRACTIONAL SEG (a pixel is inside at half of it or more). */
  maxFractional: number
  segments: SegmentInfo[]
  /** Series Instance UIDs (0020,000E) from the Referenced Series Sequence (0008,1115). */
  referencedSeries: string[]
  /** Every SOP Instance UID the SEG references (Referenced Series → Referenced Instance, and per-frame sources). */
  referencedInstances: string[]
  /** Frame of Reference UID (0020,0052). */
  frameOfReferenceUid?: string
  frames: SegFrame[]
}

/** Whether a data set is a DICOM SEG: SOP Class UID (0008,0016) Segmentation Storage. */
export function isSegmentation(ds: DataSet): boolean {
  return text(ds, 0x00080016) === SEG_SOP_CLASS
}

function items(ds: DataSet, tag: number): DataSet[] {
  return (ds.elements[key(tag)]?.items ?? []).map((i) => i.dataSet).filter((d): d is DataSet => !!d)
}

/** Segment Sequence (0062,0002) items: number, label, colour (Recommended Display CIELab Value, else a palette). */
function readSegments(ds: DataSet, where: string): SegmentInfo[] {
  const out: SegmentInfo[] = []
  for (const s of items(ds, SEGMENT_SEQUENCE).slice(0, MAX_SEGMENTS)) {
    const n = ushort(s, 0x00620004)
    if (n === undefined) {
      throw new AppError('CORRUPT', `${where}: a Segment Sequence (0062,0002) item has no Segment Number (0062,0004)`)
    }
    const lab = ushorts(s, 0x0062000d)
    const info: SegmentInfo = {
      number: n,
      label: text(s, 0x00620005) ?? `Segment ${n}`,
      color: lab.length >= 3 ? dicomLabToRgb([lab[0], lab[1], lab[2]]) : defaultSegmentColor(n),
      colorFromFile: lab.length >= 3
    }
    out.push(info)
  }
  return out
}

/**
 * Reads a SEG's segments, references and per-frame labels from its header (Pixel Data is not needed).
 * @throws AppError CORRUPT naming the file and the element when Segment Sequence (0062,0002) is missing or a
 * frame names no segment.
 */
export function readSegIndex(ds: DataSet, where: string): SegIndex {
  const segments = readSegments(ds, where)
  if (!segments.length) throw new AppError('CORRUPT', `${where}: DICOM SEG without a Segment Sequence (0062,0002)`)
  const referencedSeries: string[] = []
  const instances = new Set<string>()
  for (const s of items(ds, REFERENCED_SERIES)) {
    const uid = text(s, 0x0020000e)
    if (uid) referencedSeries.push(uid)
    for (const i of items(s, REFERENCED_INSTANCES)) {
      const sop = text(i, 0x00081155)
      if (sop) instances.add(sop)
    }
  }
  const count = Math.max(1, Math.round(number(ds, 0x00280008) ?? 1))
  // Per-frame Functional Groups are Type 1 in the SEG IOD: without them no frame says what it labels.
  if (!ds.elements[key(PER_FRAME)]) {
    throw new AppError('CORRUPT', `${where}: DICOM SEG without a Per-frame Functional Groups Sequence (5200,9230)`)
  }
  checkPerFrameItems(ds, count, where)
  const frames: SegFrame[] = []
  for (let f = 0; f < count; f++) {
    const fg = item(ds, PER_FRAME, f)
    const segNumber = fromFunctionalGroups(ds, f, SEGMENT_IDENTIFICATION, (d) => ushort(d, 0x0062000b))
    if (segNumber === undefined) {
      throw new AppError(
        'CORRUPT',
        `${where}: frame ${f + 1} has no Referenced Segment Number (0062,000B) in a Segment Identification Sequence (0062,000A)`
      )
    }
    const sources: SegFrame['sources'] = []
    for (const d of fg ? items(fg, DERIVATION_IMAGE) : []) {
      for (const src of items(d, SOURCE_IMAGE)) {
        const sop = text(src, 0x00081155)
        if (!sop) continue
        instances.add(sop)
        const refFrame = numbers(src, 0x00081160)[0]
        sources.push(refFrame !== undefined ? { sopInstanceUid: sop, frame: refFrame } : { sopInstanceUid: sop })
      }
    }
    const frame: SegFrame = { segment: segNumber, sources }
    const position = framePlane(ds, f).imagePositionPatient
    if (position) frame.position = position
    frames.push(frame)
  }
  const index: SegIndex = {
    rows: ushort(ds, 0x00280010) ?? 0,
    columns: ushort(ds, 0x00280011) ?? 0,
    type: (text(ds, 0x00620001) ?? 'BINARY').toUpperCase(),
    maxFractional: ushort(ds, 0x0062000e) ?? 255,
    segments,
    referencedSeries,
    referencedInstances: [...instances],
    frames
  }
  const fr = text(ds, 0x00200052)
  if (fr) index.frameOfReferenceUid = fr
  return index
}

import fs from 'node:fs/promises'
import type { SegmentationSlice } from '../../../shared/contract/imaging'
import { AppError } from '../../../shared/errors'
import { openError } from '../../fs/open-error'
import { decodeParsedDicom } from '../dicom/decode'
import { checkPerFrameItems, framePlane } from '../dicom/frame-geometry'
import { readDicomFile, readDicomHeader, type ParsedDicom } from '../dicom/parse'
import { number, text, ushort } from '../dicom/values'
import { segFramesForSlice } from './map-frames'
import { isSegmentation, readSegIndex, type SegIndex } from './seg-header'

/** Parsed SEG files kept for the next slice: a user scrolls one series with one or two SEGs over it. */
const KEPT_SEGS = 4

interface Loaded {
  version: string
  parsed: ParsedDicom
  index: SegIndex
}

/**
 * The masks of a DICOM SEG on the slices of the series it labels, one slice per call (the viewer asks as the
 * user scrolls). Parsed SEGs are kept (keyed by path, size and mtime) so scrolling does not re-read them.
 */
export class SegSlices {
  private readonly loaded = new Map<string, Loaded>()

  /**
   * The SEG's masks on frame `frame` (0-based) of DICOM image `image`; both paths already checked and resolved.
   * @throws AppError UNSUPPORTED when `seg` is not a SEG or its grid differs from the image's; CORRUPT / NOT_FOUND
   * naming the file otherwise.
   */
  async slice(segPath: string, image: string, frame: number): Promise<SegmentationSlice> {
    const seg = await this.load(segPath)
    const { dataSet: ds } = await readDicomHeader(image)
    const frames = Math.max(1, Math.round(number(ds, 0x00280008) ?? 1))
    if (frame >= frames) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${image}: frame ${frame} does not exist (file has ${frames}, counted from 0)`
      )
    }
    checkPerFrameItems(ds, frames, image)
    const width = ushort(ds, 0x00280011) ?? 0
    const height = ushort(ds, 0x00280010) ?? 0
    const { index } = seg
    if (index.columns !== width || index.rows !== height) {
      throw new AppError(
        'UNSUPPORTED',
        `${segPath}: SEG is ${index.columns}×${index.rows} pixels but ${image} is ${width}×${height}; only SEGs on the image's own grid are overlaid`
      )
    }
    // Position matching only within one patient coordinate system.
    const imageFrameOfReference = text(ds, 0x00200052)
    const samePatientSpace =
      !index.frameOfReferenceUid || !imageFrameOfReference || index.frameOfReferenceUid === imageFrameOfReference
    const { frames: hits, match } = segFramesForSlice(index.frames, {
      sopInstanceUid: text(ds, 0x00080018),
      frame,
      position: samePatientSpace ? framePlane(ds, frame).imagePositionPatient : undefined
    })
    const labels = new Uint8Array(width * height)
    const present = new Set<number>()
    const order = new Map(index.segments.map((s, i) => [s.number, i]))
    // Later segments paint over earlier ones where they overlap.
    hits.sort((a, b) => (order.get(index.frames[a].segment) ?? 0) - (order.get(index.frames[b].segment) ?? 0))
    for (const f of hits) {
      const at = order.get(index.frames[f].segment)
      if (at === undefined) {
        throw new AppError(
          'CORRUPT',
          `${segPath}: frame ${f + 1} names segment ${index.frames[f].segment}, which Segment Sequence (0062,0002) lacks`
        )
      }
      const { image: mask } = await decodeParsedDicom(seg.parsed, f)
      const stored = mask.stored
      // FRACTIONAL: a pixel is inside from half the Maximum Fractional Value (0062,000E) up.
      const inside = index.type === 'FRACTIONAL' ? (v: number) => v * 2 >= index.maxFractional : (v: number) => v > 0
      let any = false
      for (let i = 0; i < labels.length; i++) {
        if (inside(stored[i])) {
          labels[i] = at + 1
          any = true
        }
      }
      if (any) present.add(index.frames[f].segment)
    }
    return {
      seg: segPath,
      image,
      frame,
      width,
      height,
      segments: index.segments,
      labels,
      present: [...present].sort((a, b) => a - b),
      match
    }
  }

  private async load(segPath: string): Promise<Loaded> {
    let st
    try {
      st = await fs.stat(segPath)
    } catch (err) {
      throw openError(segPath, err)
    }
    const version = `${st.size}\u0000${st.mtimeMs}`
    const kept = this.loaded.get(segPath)
    if (kept?.version === version) return kept
    const parsed = await readDicomFile(segPath)
    if (!isSegmentation(parsed.dataSet)) {
      throw new AppError(
        'UNSUPPORTED',
        `${segPath}: not a DICOM SEG (SOP Class UID (0008,0016) is not Segmentation Storage)`
      )
    }
    const loaded = { version, parsed, index: readSegIndex(parsed.dataSet, segPath) }
    this.loaded.delete(segPath)
    this.loaded.set(segPath, loaded)
    if (this.loaded.size > KEPT_SEGS) this.loaded.delete(this.loaded.keys().next().value as string)
    return loaded
  }
}

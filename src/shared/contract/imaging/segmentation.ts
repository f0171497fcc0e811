/** DICOM SEG (Segmentation Storage) as the viewer overlays it on the series it labels. */

/** One segment of a DICOM SEG: an item of Segment Sequence (0062,0002). */
export interface SegmentInfo {
  /** Segment Number (0062,0004), 1-based. */
  number: number
  /** Segment Label (0062,0005), or 'Segment N' when absent. */
  label: string
  /** Display colour, sRGB 0..255: Recommended Display CIELab Value (0062,000D) converted, else a fixed palette. */
  color: [number, number, number]
  /** True when `color` comes from the file's Recommended Display CIELab Value (0062,000D). */
  colorFromFile: boolean
}

/**
 * A DICOM SEG among the opened files that labels a series: its Referenced Series Sequence (0008,1115) names the
 * series, or its frames' Source Image Sequence (0008,2112) names images of it. The viewer overlays it.
 */
export interface SegmentationRef {
  /** Absolute path of the SEG file (what `getSegmentation` takes). */
  path: string
  /** File name. */
  name: string
  /** Number of Frames (0028,0008) of the SEG. */
  frames: number
  segments: SegmentInfo[]
}

/** The masks of one SEG on one displayed slice of the series it labels. */
export interface SegmentationSlice {
  /** The SEG file. */
  seg: string
  /** The image file and 0-based frame the masks belong to. */
  image: string
  frame: number
  /** Pixels: the image's Columns (0028,0011) and Rows (0028,0010), which the SEG's must equal. */
  width: number
  height: number
  /** Every segment of the SEG, in Segment Sequence order. */
  segments: SegmentInfo[]
  /**
   * width×height, row-major: 0 outside every segment, else 1 + the index in `segments` of the segment covering
   * the pixel (where segments overlap, the later one in `segments`). Sent as binary.
   */
  labels: Uint8Array
  /** Segment Numbers (0062,0004) with at least one pixel on this slice. */
  present: number[]
  /**
   * How SEG frames were tied to the slice: 'reference' by Referenced SOP Instance UID (0008,1155) in
   * Derivation Image (0008,9124) → Source Image Sequence (0008,2112); 'position' by Image Position (Patient)
   * (0020,0032) of Plane Position (0020,9113) for frames that reference no image; 'none' when no frame labels
   * this slice (then `labels` is all 0).
   */
  match: 'reference' | 'position' | 'none'
}

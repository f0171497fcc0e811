/**
 * Shapes shared by the imaging core: headers for indexing, decoded frames for display and hashing,
 * tag dumps and the CLI summary.
 */

import type { SegmentInfo, ViewerVoiLut } from '../../shared/contract/imaging'

/** What a file holds, recognised from its content rather than its extension. */
export type ImageKind = 'dicom' | 'png' | 'jpeg'

/** A VOI window in modality units (after Rescale Slope/Intercept), DICOM (0028,1050)/(0028,1051)/(0028,1055). */
export interface VoiWindow {
  center: number
  width: number
  /** (0028,1055) Window Center & Width Explanation, or e.g. 'AUTO 1-99%' for a derived window. */
  explanation?: string
}

/** DICOM (0028,1056) VOI LUT Function; LINEAR when absent. */
export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'

/** Stored pixel values at their allocated width: 8, 16 or 32 bits, signed per (0028,0103). */
export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array

/** Stored values of any source: integer DICOM/PNG samples, or NIfTI float32/float64 voxels. */
export type AnyStoredArray = StoredArray | Float32Array | Float64Array

/** Fast, pixel-free description of an image file, for indexing. DICOM fields are absent for PNG/JPEG. */
export interface ImageHeader {
  kind: ImageKind
  /** Columns (0028,0011), pixels. */
  width: number
  /** Rows (0028,0010), pixels. */
  height: number
  /** Number of Frames (0028,0008); 1 when absent. */
  frames: number
  /** (0008,0060) */
  modality?: string
  /** (0010,0020) */
  patientId?: string
  /** (0010,0010), raw PN with '^' separators. */
  patientName?: string
  /** (0010,0030) YYYYMMDD */
  patientBirthDate?: string
  /** (0020,000D) */
  studyInstanceUID?: string
  /** (0020,000E) */
  seriesInstanceUID?: string
  /** (0008,0018) */
  sopInstanceUID?: string
  /** (0020,0013) */
  instanceNumber?: number
  /** (0020,0032) x, y, z of the first transmitted pixel, mm, patient coordinates. */
  imagePositionPatient?: number[]
  /** (0020,0037) row direction cosines then column direction cosines (6 numbers). */
  imageOrientationPatient?: number[]
  /** (0028,0030) [row spacing, column spacing] in mm (top level, else the functional groups of frame 0). */
  pixelSpacing?: [number, number]
  /** (0020,0052) Frame of Reference UID: series sharing it share patient coordinates. */
  frameOfReferenceUID?: string
  /** (0002,0010) */
  transferSyntaxUID?: string
  /** (0008,0020) YYYYMMDD */
  studyDate?: string
  /** (0020,0011) */
  seriesNumber?: number
  /** (0008,103E) */
  seriesDescription?: string
  /**
   * Enhanced multi-frame: frame indices (0-based) in display order, sorted along the slice normal by each
   * frame's Plane Position (0020,9113); absent when the stored order is already the display order.
   */
  frameOrder?: number[]
  /** (0008,0016) */
  sopClassUID?: string
  /** DICOM SEG only: what it labels and its segments (see imaging/seg/seg-header.ts). */
  segmentation?: {
    /** Referenced Series Sequence (0008,1115) Series Instance UIDs. */
    referencedSeries: string[]
    /** SOP Instance UIDs it references (Referenced Instance and per-frame Source Image Sequences). */
    referencedInstances: string[]
    segments: SegmentInfo[]
  }
}

/** One decoded frame, ready for windowing, hashing or feeding a model. */
export interface DecodedImage {
  /** 'nifti' for a plane slice of a NIfTI volume (see imaging/nifti/plane-slice.ts). */
  kind: ImageKind | 'nifti'
  width: number
  height: number
  /** Frames in the file. */
  frames: number
  /** Which frame this is, 0-based. */
  frame: number
  /** Samples per pixel of `modality`: 1 for grey, 3 for colour (RGB after any YBR/palette conversion). */
  samplesPerPixel: 1 | 3
  /** Photometric Interpretation (0028,0004) as stored in the file ('MONOCHROME2', 'RGB', ...); 'RGB'/'MONOCHROME2' for PNG/JPEG. */
  photometric: string
  /**
   * Grey: modality values (stored × Rescale Slope (0028,1053) + Rescale Intercept (0028,1052)), length width×height.
   * Colour: RGB interleaved, 0..255, length width×height×3.
   */
  modality: Float32Array
  /**
   * Stored values of this frame before rescale, masked to Bits Stored and sign-extended, samples interleaved
   * in the colour space the codec returned (JPEG/J2K colour arrives as RGB; native YBR stays YBR).
   * NIfTI slices: the voxel values before scl_slope/scl_inter, float for float32/float64 volumes.
   */
  stored: AnyStoredArray
  /** VOI windows in modality units; the first is the default. Derived from the pixels when the file has none. */
  windows: VoiWindow[]
  voiLutFunction: VoiLutFunction
  /** VOI LUT Sequence (0028,3010) items; the first is the default display when present (see render.ts). */
  voiLuts?: ViewerVoiLut[]
  /** True for MONOCHROME1 (low values display bright). */
  invert: boolean
  /** 'HU' for CT with a rescale; otherwise Rescale Type (0028,1054) when present, else ''. */
  units: string
  /** Pixel Spacing (0028,0030): [row spacing, column spacing] in mm. */
  pixelSpacing?: [number, number]
  /** Pixel Aspect Ratio (0028,0034): [vertical, horizontal] pixel size ratio, for images without spacing. */
  pixelAspectRatio?: [number, number]
}

/** One row of a tag dump. */
export interface DicomTag {
  /** '(gggg,eeee)', upper-case hex. */
  tag: string
  /** Dictionary keyword, '' when the tag is not in the compact dictionary. */
  keyword: string
  /** VR from the file (explicit) or the dictionary (implicit); 'UN' when unknown. */
  vr: string
  /** Printable value, at most 256 characters; binary as '<N bytes>', sequences as '<N items>'. */
  value: string
  /** Nesting level: 0 for the top data set, +1 inside each sequence item. */
  depth: number
}

/** The `neuropath dicom FILE --json` payload. Statistics are over stored values (before rescale). */
export interface DicomSummary {
  file: string
  transferSyntaxUID: string
  transferSyntaxName: string
  rows: number
  columns: number
  frames: number
  /** The frame summarised, 0-based. */
  frame: number
  bitsAllocated: number
  bitsStored: number
  highBit: number
  pixelRepresentation: number
  photometricInterpretation: string
  samplesPerPixel: number
  planarConfiguration?: number
  rescaleSlope: number
  rescaleIntercept: number
  units: string
  /** The default window (first of `windows`). */
  window: VoiWindow
  windows: VoiWindow[]
  voiLutFunction: VoiLutFunction
  pixels: {
    min: number
    max: number
    mean: number
    /** SHA-256 (hex) of the stored values as little-endian integers at the allocated width, samples interleaved. */
    sha256: string
  }
}

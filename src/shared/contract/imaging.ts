import { z } from 'zod'
import { FsPath } from './common'
import { rpc } from './define'
import type { SegmentationRef, SegmentationSlice } from './imaging/segmentation'
import type { OrientationLabels, ViewerPlane, VolumeInfo } from './imaging/volume'

export * from './imaging/segmentation'
export * from './imaging/volume'

/**
 * The imaging service: open files and folders the user picked, list their images grouped by series,
 * send one frame's raw modality values for display, and dump DICOM tags. Every method taking a path
 * refuses paths outside the roots the user granted (AppError FORBIDDEN). The service is declared here; NIfTI
 * volume and DICOM SEG types live under ./imaging/ and are re-exported from here.
 */

/** What a file holds, recognised from its content ('nifti': a NIfTI-1/-2 volume, recognised by name and header). */
export type ViewerImageKind = 'dicom' | 'png' | 'jpeg' | 'nifti'

/** A VOI window in modality units, DICOM (0028,1050)/(0028,1051)/(0028,1055). */
export interface ViewerWindow {
  center: number
  width: number
  /** (0028,1055) Window Center & Width Explanation, or e.g. 'AUTO 1-99%' for a derived window. */
  explanation?: string
}

/** DICOM (0028,1056) VOI LUT Function; LINEAR when absent. */
export type ViewerVoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID'

/**
 * One item of the VOI LUT Sequence (0028,3010) (PS3.3 C.11.2): modality value `firstMapped + i` displays as
 * `data[i] / (2^bits − 1)` of full brightness; values below or above the table take its first or last entry.
 */
export interface ViewerVoiLut {
  /** LUT Descriptor (0028,3002) value 2: the first modality value mapped (signed when the modality values may be). */
  firstMapped: number
  /** LUT Descriptor value 3: bits per entry, 8..16. */
  bits: number
  /** LUT Data (0028,3006): one entry per modality value from `firstMapped` (descriptor value 1; 0 means 65536). */
  data: Uint16Array
  /** LUT Explanation (0028,3003), when present. */
  explanation?: string
}

/** A failure tied to one file, shown in the viewer instead of the image. */
export interface ImageProblem {
  /** AppError code: CORRUPT, UNSUPPORTED, IO, NOT_FOUND, ... */
  code: string
  /** Names the file and the reason. */
  message: string
}

/** One file in an opened folder or selection. */
export interface ImageEntry {
  /** Absolute, symlink-resolved path (what later calls must pass). */
  path: string
  /** File name for the list. */
  name: string
  /** 'unknown' when the content is not DICOM, PNG or JPEG (then `problem` says so). */
  kind: ViewerImageKind | 'unknown'
  /** Columns (0028,0011), pixels; 0 when the header could not be read. */
  width: number
  /** Rows (0028,0010), pixels; 0 when the header could not be read. */
  height: number
  /** Number of Frames (0028,0008); 1 when absent. */
  frames: number
  /** (0008,0060), e.g. 'CT', 'MR'. */
  modality?: string
  /** (0020,0013) */
  instanceNumber?: number
  /** (0020,0032), mm. */
  imagePositionPatient?: number[]
  /** (0020,0037): row then column direction cosines (6 numbers); frame 0's for enhanced multi-frame files. */
  imageOrientationPatient?: number[]
  /** (0028,0030): [row spacing, column spacing] in mm. */
  pixelSpacing?: [number, number]
  /** Set when the header does not read; the viewer shows it when the entry is selected. */
  problem?: ImageProblem
  /**
   * Enhanced multi-frame DICOM: frame indices (0-based) in display order, sorted along the slice normal by each
   * frame's Plane Position (0020,9113); absent when frames show in stored order.
   */
  frameOrder?: number[]
  /** NIfTI volumes: geometry and slice counts; `width`, `height` and `frames` then describe the axial plane. */
  volume?: VolumeInfo
}

/** Images of one DICOM series (same (0020,000E)), or the plain images of one folder; display order. */
export interface SeriesGroup {
  /** Stable key: the Series Instance UID, or 'folder:<dir>' for PNG/JPEG, or 'unreadable'. */
  key: string
  /** E.g. '3 · T2 AXIAL (MR)' or the folder name. */
  label: string
  /** (0010,0020) / (0010,0010) of the first image, when DICOM. */
  patientId?: string
  patientName?: string
  /** (0008,103E) */
  seriesDescription?: string
  /** (0020,0011) */
  seriesNumber?: number
  /** (0020,000D) Study Instance UID of the first image, when DICOM: compare mode pairs series of one study. */
  studyInstanceUid?: string
  /** (0020,0052) Frame of Reference UID of the first image: series sharing it share patient coordinates. */
  frameOfReferenceUid?: string
  /** Sorted along the slice normal (sortSeries), then by instance number. */
  entries: ImageEntry[]
  /** DICOM SEG files among the opened ones that label this series (absent when none). */
  segmentations?: SegmentationRef[]
}

/** What opening paths or dropped bytes gives the viewer. */
export interface OpenResult {
  /** The granted roots (symlink-resolved) this open added. */
  roots: string[]
  series: SeriesGroup[]
  /** Files in opened folders skipped because their content is not DICOM, PNG or JPEG. */
  skipped: number
  /** True when a folder held more files than the scan limit; the list is incomplete. */
  truncated: boolean
}

/** One frame ready for display: raw modality values, the window/level is applied in the renderer. */
export interface FrameData {
  path: string
  /** 0-based. */
  frame: number
  frames: number
  /** Pixels. */
  width: number
  height: number
  /** 1 grey, 3 RGB interleaved. */
  samplesPerPixel: 1 | 3
  /** (0028,0004) as stored, e.g. 'MONOCHROME1'. */
  photometric: string
  /**
   * Grey: modality values (stored × Rescale Slope (0028,1053) + Rescale Intercept (0028,1052)), row-major,
   * width×height. Colour: RGB 0..255 interleaved, width×height×3. Sent as binary.
   */
  modality: Float32Array
  /** Smallest and largest modality value of the frame. */
  min: number
  max: number
  /** True when every modality value is an integer (the renderer then uses a LUT indexed by value). */
  integer: boolean
  /** The file's windows in modality units; the first is the default (derived from the pixels when absent). */
  windows: ViewerWindow[]
  voiLutFunction: ViewerVoiFunction
  /**
   * VOI LUT Sequence (0028,3010) items, applied to the modality values; when present the first is the default
   * display (it takes precedence over `windows` until the user changes window/level).
   */
  voiLuts?: ViewerVoiLut[]
  /** MONOCHROME1: low values display bright. */
  invert: boolean
  /** 'HU' for CT with a rescale, else Rescale Type (0028,1054), else ''. */
  units: string
  /** Pixel Spacing (0028,0030): [row, column] spacing in mm. Volumes: the voxel sizes along the plane's rows and columns. */
  pixelSpacing?: [number, number]
  /**
   * Pixel Aspect Ratio (0028,0034): [vertical, horizontal] size of a pixel, for images without Pixel Spacing.
   * The viewer draws pixels `pixelSpacing[0] / pixelSpacing[1]` (else this ratio) times as tall as wide.
   */
  pixelAspectRatio?: [number, number]
  /** Volumes: the plane this slice was cut along (`frame` is then the slice index, 0 inferior/posterior/left). */
  plane?: ViewerPlane
  /** Volumes: patient directions at the image edges (radiological layout: patient right on screen left). */
  orientationLabels?: OrientationLabels
}

/** One row of a DICOM tag dump. */
export interface TagRow {
  /** '(gggg,eeee)', upper-case hex. */
  tag: string
  keyword: string
  vr: string
  /** At most 256 characters; binary as '<N bytes>', sequences as '<N items>'. */
  value: string
  /** 0 top level, +1 per sequence item nesting. */
  depth: number
}

/** Progress of a dropped-file upload, and the opened result once the last chunk arrived. */
export interface DropProgress {
  uploadId: string
  /** Bytes received so far. */
  received: number
  /** Set by the call carrying the last chunk. */
  opened: OpenResult | null
}

/** Largest file that may be dropped on the viewer: 512 MiB. */
export const MAX_DROP_BYTES = 512 * 1024 * 1024
/** Largest chunk of one openBytes call, before base64: 512 KiB (the browser bridge limits messages to 1 MiB). */
export const MAX_DROP_CHUNK = 512 * 1024

const Frame = z.number().int().min(0).max(100_000)

const DropName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f/\\]*$/, 'must be a plain file name')

export const imagingService = {
  /**
   * Grants the given files or folders (the user picked or typed them) and lists their images: folders are
   * scanned recursively (bounded), DICOM grouped by series and sorted with sortSeries.
   */
  openPaths: rpc(z.object({ paths: z.array(FsPath).min(1).max(64) }).strict()).returns<OpenResult>(),
  /**
   * A dropped file, in chunks: the first call (offset 0, no uploadId) starts an upload under
   * `<workspace>/cache/dropped/`; each call appends `data` (base64, ≤ 512 KiB decoded) at `offset`; the call
   * that completes `size` bytes opens the file and returns it in `opened`.
   */
  openBytes: rpc(
    z
      .object({
        uploadId: z
          .string()
          .regex(/^[a-f0-9-]{36}$/)
          .optional(),
        name: DropName,
        size: z.number().int().min(1).max(MAX_DROP_BYTES),
        offset: z.number().int().min(0).max(MAX_DROP_BYTES),
        data: z
          .string()
          .max(Math.ceil(MAX_DROP_CHUNK / 3) * 4)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
      })
      .strict()
  ).returns<DropProgress>(),
  /**
   * One frame's modality values and windows. For a NIfTI volume, `frame` is the slice of `plane` (default
   * axial) and the values are the scaled voxel values (scl_slope/scl_inter applied); `plane` is refused for
   * other files.
   */
  getFrame: rpc(
    z
      .object({ path: FsPath, frame: Frame.default(0), plane: z.enum(['axial', 'coronal', 'sagittal']).optional() })
      .strict()
  ).returns<FrameData>(),
  /**
   * The masks of DICOM SEG `seg` on frame `frame` (0-based) of DICOM image `image`, for the viewer's overlay.
   * SEG frames are tied to the image by Referenced SOP Instance UID (and Referenced Frame Number), else by
   * Image Position (Patient). Both paths must be granted.
   * @throws AppError UNSUPPORTED when `seg` is not a DICOM SEG or its Rows/Columns differ from the image's;
   * CORRUPT naming the file and element for a SEG whose segments or per-frame groups are missing.
   */
  getSegmentation: rpc(
    z.object({ seg: FsPath, image: FsPath, frame: Frame.default(0) }).strict()
  ).returns<SegmentationSlice>(),
  /** Every element of a DICOM file in tag order, sequences flattened; [] for PNG/JPEG. */
  getTags: rpc(z.object({ path: FsPath }).strict()).returns<TagRow[]>()
}

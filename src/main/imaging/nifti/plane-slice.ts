import { AppError } from '../../../shared/errors'
import type { AnyStoredArray, DecodedImage } from '../types'
import type { NiftiHeader } from './header'
import { axisMap, directionLetter } from './orientation'
import type { NiftiVolume, VolumePlane, VoxelArray } from './types'

/**
 * How a plane is laid out on screen, radiological convention: axial and coronal show the patient's right on
 * the left of the screen; axial has anterior at the top, coronal and sagittal superior at the top; sagittal
 * has anterior on the left. `slice` is the world axis the plane is fixed on (0 x, 1 y, 2 z); `col`/`row`
 * the world axes along columns/rows with the world direction (+1/−1) they move in as the index grows.
 */
const LAYOUT: Record<VolumePlane, { slice: number; col: number; colDir: -1 | 1; row: number; rowDir: -1 | 1 }> = {
  axial: { slice: 2, col: 0, colDir: -1, row: 1, rowDir: -1 },
  coronal: { slice: 1, col: 0, colDir: -1, row: 2, rowDir: -1 },
  sagittal: { slice: 0, col: 1, colDir: -1, row: 2, rowDir: -1 }
}

/** Orientation letters at the four edges of a displayed plane (R/L, A/P, S/I). */
export interface PlaneLabels {
  left: string
  right: string
  top: string
  bottom: string
}

/** Size, spacing and labels of a plane, without touching voxels. */
export interface PlaneGeometry {
  plane: VolumePlane
  width: number
  height: number
  /** Slices along the plane's normal; slice 0 is the inferior (axial), posterior (coronal) or left (sagittal) end. */
  slices: number
  /** [row spacing, column spacing] in mm, for a voxel-size-correct aspect. */
  pixelSpacing: [number, number]
  labels: PlaneLabels
}

interface Walk {
  geometry: PlaneGeometry
  /** Voxel index offset of display column c / row r, and of slice s. */
  colOffset: Int32Array
  rowOffset: Int32Array
  sliceOffset: (s: number) => number
}

function walk(h: NiftiHeader, plane: VolumePlane): Walk {
  const layout = LAYOUT[plane]
  const map = axisMap(h.affine)
  const dims = h.dims
  const strides = [1, dims[0], dims[0] * dims[1]]
  const offsets = (world: number, dir: number): Int32Array => {
    const axis = map.axis[world]
    const n = dims[axis]
    const forward = dir * map.sign[world] > 0
    const out = new Int32Array(n)
    for (let t = 0; t < n; t++) out[t] = (forward ? t : n - 1 - t) * strides[axis]
    return out
  }
  const colOffset = offsets(layout.col, layout.colDir)
  const rowOffset = offsets(layout.row, layout.rowDir)
  const sliceOffsets = offsets(layout.slice, 1)
  const size = h.voxelSizeMm
  const geometry: PlaneGeometry = {
    plane,
    width: colOffset.length,
    height: rowOffset.length,
    slices: sliceOffsets.length,
    pixelSpacing: [size[map.axis[layout.row]], size[map.axis[layout.col]]],
    labels: {
      left: directionLetter(layout.col, -layout.colDir),
      right: directionLetter(layout.col, layout.colDir),
      top: directionLetter(layout.row, -layout.rowDir),
      bottom: directionLetter(layout.row, layout.rowDir)
    }
  }
  return { geometry, colOffset, rowOffset, sliceOffset: (s) => sliceOffsets[s] }
}

/** Size, spacing and edge labels of `plane` in a volume, from its header alone. */
export function planeGeometry(v: NiftiVolume | NiftiHeader, plane: VolumePlane): PlaneGeometry {
  return walk('voxels' in v ? v.header : v, plane).geometry
}

function sameType(src: VoxelArray, n: number): AnyStoredArray {
  return new (src.constructor as new (n: number) => AnyStoredArray)(n)
}

/** A plane slice as a decoded image plus how to lay it out. */
export interface VolumeSlice {
  image: DecodedImage
  geometry: PlaneGeometry
}

/**
 * Cuts slice `index` of `plane` out of the volume, laid out per `LAYOUT`, as a decoded image whose
 * `modality` holds the scaled values (scl_slope/scl_inter applied, the file's units) and whose windows are
 * the volume's, so the grey scale stays put while scrolling. RGB24 volumes give RGB images.
 * @throws AppError INVALID_ARGUMENT when the slice does not exist.
 */
export function volumeSlice(v: NiftiVolume, plane: VolumePlane, index: number): VolumeSlice {
  const { geometry, colOffset, rowOffset, sliceOffset } = walk(v.header, plane)
  if (!Number.isInteger(index) || index < 0 || index >= geometry.slices) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${v.file}: ${plane} slice ${index} does not exist (${geometry.slices} slices, counted from 0)`
    )
  }
  const { width, height } = geometry
  const base = sliceOffset(index)
  const rgb = v.header.dataType === 'rgb24'
  const src = v.voxels
  const { slope, intercept } = v.header
  let stored: AnyStoredArray
  let modality: Float32Array
  if (rgb) {
    stored = new Uint8Array(width * height * 3)
    modality = new Float32Array(width * height * 3)
    for (let r = 0, p = 0; r < height; r++) {
      const row = base + rowOffset[r]
      for (let c = 0; c < width; c++, p += 3) {
        const at = (row + colOffset[c]) * 3
        for (let k = 0; k < 3; k++) stored[p + k] = modality[p + k] = src[at + k]
      }
    }
  } else {
    stored = sameType(src, width * height)
    modality = new Float32Array(width * height)
    for (let r = 0, p = 0; r < height; r++) {
      const row = base + rowOffset[r]
      for (let c = 0; c < width; c++, p++) {
        const x = src[row + colOffset[c]]
        stored[p] = x
        modality[p] = x * slope + intercept
      }
    }
  }
  const image: DecodedImage = {
    kind: 'nifti',
    width,
    height,
    frames: geometry.slices,
    frame: index,
    samplesPerPixel: rgb ? 3 : 1,
    photometric: rgb ? 'RGB' : 'MONOCHROME2',
    modality,
    stored,
    windows: v.windows,
    voiLutFunction: 'LINEAR',
    invert: false,
    units: '',
    pixelSpacing: geometry.pixelSpacing
  }
  return { image, geometry }
}

import type { VoiWindow } from '../types'
import type { NiftiHeader } from './header'

/** Voxel values of one 3-D volume at the file's width, i fastest, then j, then k. RGB24: 3 bytes per voxel. */
export type VoxelArray =
  Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array

/** A loaded NIfTI volume: its checked header and the raw voxels of its first 3-D volume. */
export interface NiftiVolume {
  /** The path it was opened from. */
  file: string
  header: NiftiHeader
  /** Axis code of voxel axes i, j, k, e.g. "RAS" (from the sform, else the qform). */
  orientation: string
  voxels: VoxelArray
  /** Windows in scaled units over the whole volume, the first the default (cal_min/max when set, else 1–99 %). */
  windows: VoiWindow[]
}

/** Anatomical planes a volume is shown or imported along. */
export type VolumePlane = 'axial' | 'coronal' | 'sagittal'

export const VOLUME_PLANES: readonly VolumePlane[] = ['axial', 'coronal', 'sagittal']

/** The `neuropath volume FILE --json` payload. Statistics are over the scaled values (scl_slope/scl_inter applied). */
export interface VolumeSummary {
  file: string
  /** 'NIfTI-1' or 'NIfTI-2' */
  format: string
  /** Voxels along i, j, k. */
  dims: [number, number, number]
  /** 3-D volumes in the file (time points etc.); statistics cover the first. */
  volumes: number
  /** Voxel size along i, j, k, millimetres. */
  voxelSizeMm: [number, number, number]
  dataType: string
  /** e.g. "RAS": where voxel axes i, j, k point. */
  orientation: string
  /** Header transform the orientation comes from. */
  orientationSource: 'sform' | 'qform' | 'pixdim'
  scaling: { slope: number; intercept: number }
  /** Slices per plane, counted in the order the plane is scrolled (axial from inferior, coronal from posterior, sagittal from the left). */
  slices: Record<VolumePlane, number>
  stats: {
    min: number
    max: number
    mean: number
    /** NaN/±Inf voxel values left out of min/max/mean. */
    nonFinite: number
  }
  window: VoiWindow
}

/** NIfTI volumes in the viewer: planes, orientation labels and geometry. */

/** Anatomical plane a volume is shown along. */
export type ViewerPlane = 'axial' | 'coronal' | 'sagittal'

export const VIEWER_PLANES: readonly ViewerPlane[] = ['axial', 'coronal', 'sagittal']

/** Patient directions at the four edges of a displayed volume plane: 'R', 'L', 'A', 'P', 'S' or 'I'. */
export interface OrientationLabels {
  left: string
  right: string
  top: string
  bottom: string
}

/** What the viewer needs to know about a NIfTI volume before showing a plane of it. */
export interface VolumeInfo {
  /** Voxels along the file's i, j, k axes. */
  dims: [number, number, number]
  /** Voxel size along i, j, k in mm. */
  voxelSizeMm: [number, number, number]
  /** 'int16', 'float32', 'rgb24', ... */
  dataType: string
  /** Where voxel axes i, j, k point, e.g. 'RAS' (from the sform, else the qform). */
  orientation: string
  /** Slices of each plane: the frame count when the entry is shown along that plane. */
  slices: Record<ViewerPlane, number>
}

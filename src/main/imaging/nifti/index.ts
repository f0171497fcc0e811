/** NIfTI-1/-2 volumes: reading (header via nifti-reader-js), orientation, plane slices, statistics. */
export { loadNiftiHeader, loadNiftiVolume, isNiftiName } from './load-volume'
export { looksLikeNifti, MAX_VOLUME_VOXELS, type NiftiHeader, type NiftiDataType } from './header'
export { axisCode } from './orientation'
export { planeGeometry, volumeSlice, type PlaneGeometry, type PlaneLabels, type VolumeSlice } from './plane-slice'
export { summariseVolume, volumeSummary } from './summary'
export { volumeStats } from './volume-stats'
export { VOLUME_PLANES, type NiftiVolume, type VolumePlane, type VolumeSummary } from './types'

import type { VolumeInfo } from '../../../shared/contract/imaging'
import {
  loadNiftiVolume,
  planeGeometry,
  volumeSlice,
  VOLUME_PLANES,
  type NiftiHeader,
  type NiftiVolume,
  type VolumePlane,
  type VolumeSlice
} from '../nifti'
import { axisCode } from '../nifti/orientation'

/** What the viewer's list shows about a volume, from its header alone. */
export function volumeInfo(h: NiftiHeader): VolumeInfo {
  const slices = Object.fromEntries(VOLUME_PLANES.map((p) => [p, planeGeometry(h, p).slices])) as VolumeInfo['slices']
  return { dims: h.dims, voxelSizeMm: h.voxelSizeMm, dataType: h.dataType, orientation: axisCode(h.affine), slices }
}

/**
 * Volumes kept open for the viewer, so scrolling and switching planes only cut slices (no re-read). Two at
 * most: a 256×256×180 int16 volume holds 24 MB of voxels; the limit keeps a worst case (two 2^27-voxel
 * float64 volumes) within what `MAX_VOLUME_VOXELS` already allows one read to take.
 */
export class VolumeFrames {
  private readonly open = new Map<string, Promise<NiftiVolume>>()

  constructor(private readonly keep = 2) {}

  /** Slice `index` of `plane` of the volume at the resolved path; `version` changes when the file does. */
  async get(real: string, version: string, plane: VolumePlane, index: number): Promise<VolumeSlice> {
    const key = `${real}\u0000${version}`
    let v = this.open.get(key)
    if (v) this.open.delete(key)
    else v = loadNiftiVolume(real)
    this.open.set(key, v)
    v.catch(() => this.open.delete(key))
    for (const k of this.open.keys()) {
      if (this.open.size <= this.keep) break
      if (k !== key) this.open.delete(k)
    }
    return volumeSlice(await v, plane, index)
  }
}

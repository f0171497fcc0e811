import { loadNiftiVolume } from './load-volume'
import { planeGeometry } from './plane-slice'
import { VOLUME_PLANES, type NiftiVolume, type VolumePlane, type VolumeSummary } from './types'
import { volumeStats } from './volume-stats'

/** The facts `neuropath volume` prints, from an opened volume. */
export function summariseVolume(v: NiftiVolume): VolumeSummary {
  const h = v.header
  const slices = Object.fromEntries(VOLUME_PLANES.map((p) => [p, planeGeometry(v, p).slices])) as Record<
    VolumePlane,
    number
  >
  return {
    file: v.file,
    format: `NIfTI-${h.version}`,
    dims: h.dims,
    volumes: h.volumes,
    voxelSizeMm: h.voxelSizeMm,
    dataType: h.dataType,
    orientation: v.orientation,
    orientationSource: h.affineSource,
    scaling: { slope: h.slope, intercept: h.intercept },
    slices,
    stats: volumeStats(v),
    window: v.windows[0]
  }
}

/** Opens and summarises a NIfTI file. @throws as `loadNiftiVolume`. */
export async function volumeSummary(file: string): Promise<VolumeSummary> {
  return summariseVolume(await loadNiftiVolume(file))
}

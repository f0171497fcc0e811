import { createHash } from 'node:crypto'
import { forEachFrame, renderWindowed, type DecodedImage } from '../../imaging'
import { loadNiftiVolume, planeGeometry, volumeSlice, volumeStats, type VolumePlane } from '../../imaging/nifti'
import { dHash } from './dhash'
import type { ProbedImage } from './probe-file'
import { toThumbnail, writeThumbnail } from './thumbnail-cache'
import type { FoundFile } from './walk-folder'

/** A slice is near-empty when fewer than this share of its voxels are above background. */
export const MIN_FOREGROUND_SHARE = 0.05
/** Background: scaled values at most this share of the volume's range above its minimum. */
export const BACKGROUND_SHARE_OF_RANGE = 0.1

/**
 * True when fewer than 5 % of a slice's values (scaled, the file's units) lie above the volume's background
 * level, min + 10 % × (max − min) over the whole volume. Such slices (air above the head, padding) carry no
 * anatomy; importing them would teach a classifier that blank images belong to every class.
 */
export function isNearEmpty(values: ArrayLike<number>, volumeMin: number, volumeMax: number): boolean {
  const level = volumeMin + BACKGROUND_SHARE_OF_RANGE * (volumeMax - volumeMin)
  if (!(volumeMax > volumeMin)) return true
  let above = 0
  for (let i = 0; i < values.length; i++) if (values[i] > level) above++
  return above < MIN_FOREGROUND_SHARE * values.length
}

type Frames =
  | { kind: 'nifti'; plane?: VolumePlane; skipEmptySlices?: boolean }
  | { kind: 'dicom'; ids: Pick<ProbedImage, 'modality' | 'patientId' | 'studyUid' | 'seriesUid' | 'instanceNumber'> }

/**
 * The items of a multi-item file, in frame order: every slice of a NIfTI volume along `plane` (default
 * axial; near-empty ones left out when asked), or every frame of a multi-frame DICOM file. Each gets its own
 * content key (see `ProbedImage.sha256`), thumbnail and dHash, and the file as its group key, so a volume
 * never straddles splits. The file is read and parsed once.
 * @throws AppError from the reader (the caller reports it as the file's failure).
 */
export async function probeFrames(
  file: FoundFile,
  fileSha: string,
  cacheDir: string,
  how: Frames
): Promise<ProbedImage[]> {
  const out: ProbedImage[] = []
  const add = async (img: DecodedImage, frame: number, frames: number, plane: VolumePlane | null): Promise<void> => {
    const sha256 = createHash('sha256')
      .update(plane ? `${fileSha}:${plane}:${frame}` : `${fileSha}:${frame}`)
      .digest('hex')
    const thumb = toThumbnail({
      width: img.width,
      height: img.height,
      channels: img.samplesPerPixel,
      data: renderWindowed(img)
    })
    await writeThumbnail(cacheDir, sha256, thumb)
    out.push({
      sha256,
      kind: how.kind,
      frame,
      plane,
      groupKey: `${plane ? 'volume' : 'file'}:${file.relPath}`,
      width: img.width,
      height: img.height,
      frames,
      ...(how.kind === 'dicom'
        ? how.ids
        : { modality: null, patientId: null, studyUid: null, seriesUid: null, instanceNumber: null }),
      dhash: dHash(thumb)
    })
  }
  if (how.kind === 'dicom') {
    await forEachFrame(file.path, {}, (img, f, n) => add(img, f, n, null))
    return out
  }
  const plane = how.plane ?? 'axial'
  const volume = await loadNiftiVolume(file.path)
  const n = planeGeometry(volume, plane).slices
  const stats = how.skipEmptySlices ? volumeStats(volume) : null
  for (let s = 0; s < n; s++) {
    const { image } = volumeSlice(volume, plane, s)
    if (stats && isNearEmpty(image.modality, stats.min, stats.max)) continue
    await add(image, s, n, plane)
  }
  return out
}

import type { FailedInput } from '../../../shared/contract'
import { toEnvelope } from '../../../shared/errors'
import { readImageHeader } from '../../imaging'
import { isNiftiName, loadNiftiHeader, planeGeometry, type VolumePlane } from '../../imaging/nifti'
import { mapLimited, scanFolder } from '../../imaging/files/scan-folder'
import { compareInputs, inputMeta, volumeSliceMeta, type InputMeta } from './input-meta'
import { requireFolder } from '../../fs/require-folder'

/** Header reads in flight: enough to hide disk latency, few enough to keep file handles low. */
const HEADER_CONCURRENCY = 16

/** What a folder holds for classification. */
export interface FolderInputs {
  /** One entry per image, per DICOM frame and per slice of a NIfTI volume along the plane, in display order (compareInputs). */
  inputs: InputMeta[]
  /** Files whose header does not read, or that are not DICOM/PNG/JPEG, with the reason. */
  failures: FailedInput[]
  /** Regular files looked at. */
  files: number
  /** True when the folder held more files than the scan limit (MAX_SCAN_FILES); the rest were not classified. */
  truncated: boolean
}

/**
 * Lists every image, DICOM frame and slice of a NIfTI volume along `plane` (default axial) under `folder`,
 * recursively (hidden files,
 * DICOMDIR and symlinks are skipped, as in the viewer), reading only headers (DICOM stops at Pixel Data
 * (7FE0,0010); a .nii.gz is inflated only as far as its header). A file that
 * is not a readable image becomes a failure naming it and the reason; the listing goes on.
 * @throws AppError NOT_FOUND when `folder` does not exist, INVALID_ARGUMENT when it is not a folder.
 */
export async function listFolderInputs(folder: string, plane: VolumePlane = 'axial'): Promise<FolderInputs> {
  await requireFolder(folder, 'patient folder')
  const scan = await scanFolder(folder)
  const inputs: InputMeta[] = []
  const failures: FailedInput[] = []
  // The .img half of a .hdr/.img pair is classified through its .hdr.
  const names = new Set(scan.files)
  const files = scan.files.filter((f) => !(/\.img(\.gz)?$/i.test(f) && names.has(f.replace(/\.img(\.gz)?$/i, '.hdr'))))
  const headers = await mapLimited(files, HEADER_CONCURRENCY, async (file) => {
    try {
      if (isNiftiName(file)) return { file, volume: planeGeometry(await loadNiftiHeader(file), plane) }
      return { file, header: await readImageHeader(file) }
    } catch (err) {
      return { file, error: toEnvelope(err) }
    }
  })
  for (const r of headers) {
    if ('error' in r && r.error) {
      failures.push({ path: r.file, frame: null, code: r.error.code, message: r.error.message })
      continue
    }
    if ('volume' in r && r.volume) {
      for (let s = 0; s < r.volume.slices; s++) inputs.push(volumeSliceMeta(folder, r.file, s, r.volume))
      continue
    }
    const h = r.header!
    const frames = Math.max(1, h.frames)
    for (let f = 0; f < frames; f++) inputs.push(inputMeta(folder, r.file, f, h))
  }
  inputs.sort(compareInputs)
  return { inputs, failures, files: scan.files.length, truncated: scan.truncated }
}

import path from 'node:path'
import type { ImageMeta } from '../../../shared/contract'
import type { ImageHeader } from '../../imaging'
import type { PlaneGeometry } from '../../imaging/nifti'
import { sliceNormal } from '../../imaging/series'

/** One image or DICOM frame to classify: the contract's `ImageMeta` (path, frame, geometry, DICOM header fields, group keys). */
export type InputMeta = ImageMeta

/** How the job folder itself is named in labels (its real name may be the patient's). */
export const ROOT_LABEL = '(job folder)'

const text = (v: string | undefined): string | null => (v && v.trim() ? v.trim() : null)
const num = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null)

/** Folder of `file` relative to `root`, '/'-separated; '.' for the root itself. */
function relDir(root: string, file: string): string {
  const rel = path.relative(root, path.dirname(file)).split(path.sep).join('/')
  return rel === '' ? '.' : rel
}

/**
 * The metadata of frame `frame` of a file whose header is `h`, with its group keys:
 * - series: DICOM 'series:<(0020,000E)>' (files without one: 'dicom-folder:<dir>'); PNG/JPEG 'folder:<dir>';
 * - study: DICOM 'study:<(0020,000D)>'; otherwise 'folder:<first-level folder>' (the files' own patient folder);
 * - patient: DICOM 'patient:<(0010,0020)>' (or 'patient-name:<(0010,0010)>'); otherwise the same folder key.
 * Folder keys are relative to `root`, so they carry nothing from above the job folder.
 */
export function inputMeta(root: string, file: string, frame: number, h: ImageHeader): InputMeta {
  const dir = relDir(root, file)
  const top = dir === '.' ? '.' : dir.split('/')[0]
  const folderKey = `folder:${top}`
  const dicom = h.kind === 'dicom'
  const seriesUid = dicom ? text(h.seriesInstanceUID) : null
  const studyUid = dicom ? text(h.studyInstanceUID) : null
  const patientId = dicom ? text(h.patientId) : null
  const patientName = dicom ? text(h.patientName) : null
  const description = dicom ? text(h.seriesDescription) : null
  const seriesNumber = dicom ? num(h.seriesNumber) : null
  const modality = dicom ? text(h.modality) : null
  let seriesLabel: string
  if (dicom) {
    const parts = [
      seriesNumber !== null ? String(seriesNumber) : null,
      description ?? 'Series',
      modality ? `(${modality})` : null
    ]
    seriesLabel = parts.filter(Boolean).join(' ')
  } else seriesLabel = dir === '.' ? ROOT_LABEL : dir
  return {
    path: file,
    frame,
    kind: h.kind,
    width: h.width,
    height: h.height,
    patientId,
    patientName,
    patientBirthDate: dicom ? text(h.patientBirthDate) : null,
    studyUid,
    studyDate: dicom ? text(h.studyDate) : null,
    seriesUid,
    seriesNumber,
    seriesDescription: description,
    instanceNumber: dicom ? num(h.instanceNumber) : null,
    slicePosition: dicom && frame === 0 ? positionAlongNormal(h) : null,
    modality,
    seriesKey: dicom ? (seriesUid ? `series:${seriesUid}` : `dicom-folder:${dir}`) : `folder:${dir}`,
    seriesLabel,
    studyKey: dicom ? (studyUid ? `study:${studyUid}` : folderKey) : folderKey,
    patientKey: dicom
      ? patientId
        ? `patient:${patientId}`
        : patientName
          ? `patient-name:${patientName}`
          : folderKey
      : folderKey
  }
}

/**
 * The metadata of slice `slice` of a NIfTI volume along the plane `geometry` describes. Volumes carry no patient, study or series
 * identifiers, so the volume file is its series ('volume:<path relative to root>', labelled with that path):
 * aggregating at series level gives one verdict per volume. Study and patient are the first-level folder, as
 * for PNG/JPEG.
 */
export function volumeSliceMeta(root: string, file: string, slice: number, geometry: PlaneGeometry): InputMeta {
  const dir = relDir(root, file)
  const top = dir === '.' ? '.' : dir.split('/')[0]
  const rel = path.relative(root, file).split(path.sep).join('/')
  return {
    path: file,
    frame: slice,
    kind: 'nifti',
    width: geometry.width,
    height: geometry.height,
    patientId: null,
    patientName: null,
    patientBirthDate: null,
    studyUid: null,
    studyDate: null,
    seriesUid: null,
    seriesNumber: null,
    seriesDescription: null,
    instanceNumber: null,
    slicePosition: null,
    modality: null,
    seriesKey: `volume:${rel}`,
    seriesLabel: rel,
    studyKey: `folder:${top}`,
    patientKey: `folder:${top}`
  }
}

/** ImagePositionPatient projected on the slice normal, mm; null without a usable position and orientation. */
function positionAlongNormal(h: ImageHeader): number | null {
  const n = sliceNormal(h.imageOrientationPatient)
  const p = h.imagePositionPatient
  if (!n || !p || p.length < 3 || !p.every((v) => Number.isFinite(v))) return null
  return Math.round((p[0] * n[0] + p[1] * n[1] + p[2] * n[2]) * 1e4) / 1e4
}

/** Display order: patient, series, instance number, path, frame. */
export function compareInputs(a: InputMeta, b: InputMeta): number {
  if (a.patientKey !== b.patientKey) return a.patientKey < b.patientKey ? -1 : 1
  if (a.seriesKey !== b.seriesKey) return a.seriesKey < b.seriesKey ? -1 : 1
  const ia = a.instanceNumber ?? Number.POSITIVE_INFINITY
  const ib = b.instanceNumber ?? Number.POSITIVE_INFINITY
  if (ia !== ib) return ia < ib ? -1 : 1
  if (a.path !== b.path) return a.path.localeCompare(b.path, undefined, { numeric: true })
  return a.frame - b.frame
}

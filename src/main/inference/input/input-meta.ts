import path from 'node:path'
import type { ImageHeader } from '../../imaging'

/**
 * One image or DICOM frame to classify, with the header fields results are grouped and exported by.
 * DICOM fields are null for PNG/JPEG and when the file lacks them.
 */
export interface InputMeta {
  /** Absolute path. */
  path: string
  /** 0-based frame. */
  frame: number
  kind: 'dicom' | 'png' | 'jpeg'
  /** Columns (0028,0011) and Rows (0028,0010), pixels. */
  width: number
  height: number
  /** (0010,0020) */
  patientId: string | null
  /** (0010,0010), raw PN with '^' separators. */
  patientName: string | null
  /** (0010,0030) YYYYMMDD */
  patientBirthDate: string | null
  /** (0020,000D) */
  studyUid: string | null
  /** (0008,0020) YYYYMMDD */
  studyDate: string | null
  /** (0020,000E) */
  seriesUid: string | null
  /** (0020,0011) */
  seriesNumber: number | null
  /** (0008,103E) */
  seriesDescription: string | null
  /** (0020,0013) */
  instanceNumber: number | null
  /** (0008,0060) */
  modality: string | null
  seriesKey: string
  seriesLabel: string
  studyKey: string
  patientKey: string
}

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

import type { DatasetVersion, ItemKind, Split } from '../../../shared/contract/datasets'
import type { Catalog } from '../../catalog/open-catalog'
import type { VolumePlane } from '../../imaging/nifti'
import { getVersion } from './create-version'

/** One item as a version froze it, with what a data loader needs to open the file. */
export interface VersionItem {
  itemId: number
  /** Absolute path of the file (files stay where they were imported from). */
  path: string
  /** Hex SHA-256 of the file's bytes when the version was made (per frame/slice for multi-item files, see ProbedImage). */
  sha256: string
  kind: ItemKind
  /** Pixels. */
  width: number
  /** Pixels. */
  height: number
  /** DICOM Number of Frames (0028,0008); slices along `plane` for a volume; 1 for PNG/JPEG. */
  frames: number
  /** 0-based DICOM frame or volume slice this item is. */
  frame: number
  /** Volume slices: the plane `frame` counts along; null otherwise. */
  plane: VolumePlane | null
  /** Items that must stay together ('volume:…' / 'file:…'), null otherwise. */
  groupKey: string | null
  /** Class name frozen with the version. */
  label: string
  /** Index into `version.classes`; -1 only for excluded items of a class with no included item. */
  labelIndex: number
  split: Split | null
  excluded: boolean
  /** DICOM PatientID (0010,0020), for grouped evaluation. */
  patientId: string | null
}

/**
 * Reads a frozen dataset version for the training engine: the version (classes in label-index order, counts,
 * split parameters, fingerprint) and its items in id order. Excluded items are left out unless asked for.
 * @throws AppError NOT_FOUND for an unknown version id.
 */
export function readVersion(
  db: Catalog,
  versionId: number,
  opts: { includeExcluded?: boolean } = {}
): { version: DatasetVersion; items: VersionItem[] } {
  const version = getVersion(db, versionId)
  const rows = db
    .prepare(
      `SELECT v.item_id AS itemId, i.path, v.sha256, i.kind, i.width, i.height, i.frames, i.frame, i.plane,
         i.group_key AS groupKey, v.label,
         v.label_index AS labelIndex, v.split, v.excluded, i.patient_id AS patientId
       FROM dataset_version_items v JOIN dataset_items i ON i.id = v.item_id
       WHERE v.version_id = ? ${opts.includeExcluded ? '' : 'AND v.excluded = 0'}
       ORDER BY v.item_id`
    )
    .all(versionId) as (Omit<VersionItem, 'excluded'> & { excluded: number })[]
  return { version, items: rows.map((r) => ({ ...r, excluded: r.excluded === 1 })) }
}

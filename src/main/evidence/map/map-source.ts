import type { EmbeddingMap } from '../../../shared/contract'
import type { Split } from '../../../shared/contract/datasets'
import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import { readVersion } from '../../datasets/versions/read-version'
import type { VolumePlane } from '../../imaging/nifti'

/** One item a map places: what the engine needs to embed it, and its SHA-256 for the cache key. */
export interface MapSourceItem {
  itemId: number
  path: string
  frame: number
  plane: VolumePlane | null
  sha256: string
}

/**
 * The items a map covers: a frozen version's included items, or the current curation's included items, in
 * item id order.
 * @throws AppError NOT_FOUND for a version of another dataset; INVALID_ARGUMENT when fewer than 3 items remain.
 */
export function mapItems(db: Catalog, datasetId: number, datasetName: string, versionId?: number): MapSourceItem[] {
  let items: MapSourceItem[]
  if (versionId !== undefined) {
    const v = readVersion(db, versionId)
    if (v.version.datasetId !== datasetId)
      throw new AppError('NOT_FOUND', `version ${versionId} does not belong to dataset "${datasetName}"`)
    items = v.items.map((i) => ({ itemId: i.itemId, path: i.path, frame: i.frame, plane: i.plane, sha256: i.sha256 }))
  } else {
    items = db
      .prepare(
        `SELECT id AS itemId, path, frame, plane, sha256 FROM dataset_items
         WHERE dataset_id = ? AND excluded = 0 ORDER BY id`
      )
      .all(datasetId) as MapSourceItem[]
  }
  if (items.length < 3)
    throw new AppError(
      'INVALID_ARGUMENT',
      `dataset "${datasetName}" has ${items.length} included item(s); a map needs 3`
    )
  return items
}

/** Colouring of a map's rows as the items stand in the catalog now: class, split and PatientID. */
export function mapColours(
  db: Catalog,
  itemIds: readonly number[]
): Pick<EmbeddingMap, 'classes' | 'labels' | 'splits' | 'patients'> {
  const rows = db
    .prepare(
      `SELECT i.id, c.name AS label, i.split, i.patient_id AS patientId
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.id IN (SELECT value FROM json_each(?))`
    )
    .all(JSON.stringify(itemIds)) as { id: number; label: string; split: Split | null; patientId: string | null }[]
  const byId = new Map(rows.map((r) => [r.id, r]))
  const classes = [...new Set(rows.map((r) => r.label))].sort((a, b) => a.localeCompare(b))
  const index = new Map(classes.map((c, i) => [c, i]))
  return {
    classes,
    labels: itemIds.map((id) => index.get(byId.get(id)?.label ?? '') ?? -1),
    splits: itemIds.map((id) => byId.get(id)?.split ?? null),
    patients: itemIds.map((id) => byId.get(id)?.patientId ?? null)
  }
}

import { AppError } from '../../../shared/errors'
import type { Catalog } from '../../catalog/open-catalog'
import type { JobItem } from '../../training/job/job'

/**
 * The training images of a dataset's current curation, labelled as a version frozen now would label them
 * (classes with at least one included item, sorted by name case-insensitively; see createVersion), without
 * freezing a version: a learning-rate sweep is a look, not a run to reproduce.
 * @throws AppError INVALID_ARGUMENT when fewer than 2 classes or no training image remain.
 */
export function currentTrainItems(
  db: Catalog,
  datasetId: number,
  datasetName: string
): { classNames: string[]; items: JobItem[] } {
  const rows = db
    .prepare(
      `SELECT i.id, i.path, i.frame, i.plane, i.sha256, i.split, i.patient_id AS patientId, c.name AS label
       FROM dataset_items i JOIN dataset_classes c ON c.id = i.class_id
       WHERE i.dataset_id = ? AND i.excluded = 0 ORDER BY i.id`
    )
    .all(datasetId) as {
    id: number
    path: string
    frame: number
    plane: JobItem['plane']
    sha256: string
    split: string | null
    patientId: string | null
    label: string
  }[]
  const classNames = [...new Set(rows.map((r) => r.label))].sort((a, b) => {
    const x = a.toLowerCase()
    const y = b.toLowerCase()
    return x < y ? -1 : x > y ? 1 : 0
  })
  if (classNames.length < 2)
    throw new AppError(
      'INVALID_ARGUMENT',
      `dataset "${datasetName}" has ${classNames.length} class(es); a sweep needs 2`
    )
  const index = new Map(classNames.map((c, i) => [c, i]))
  const items = rows
    .filter((r) => r.split === 'train')
    .map((r) => ({
      itemId: r.id,
      path: r.path,
      frame: r.frame,
      plane: r.plane,
      sha256: r.sha256,
      label: index.get(r.label)!,
      split: 'train' as const,
      patientId: r.patientId
    }))
  if (items.length === 0)
    throw new AppError('INVALID_ARGUMENT', `dataset "${datasetName}" has no training images; split the dataset first`)
  return { classNames, items }
}

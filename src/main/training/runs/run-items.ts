import type { Catalog } from '../../catalog/open-catalog'
import { readVersion } from '../../datasets'
import { studySplitsForRun } from '../../evidence/study/run-splits'
import type { JobItem } from '../job/job'

/**
 * The labelled items a run trains and evaluates on, with their split: its frozen version's items and splits,
 * or, for a fold of a cross-validation study, the study's splits (fold held out as test). Also the version's
 * class names (label i = classNames[i]). What a run's launch hands the engine, and what a stage 2
 * learning-rate sweep of the run draws its training images from.
 */
export function runItems(
  db: Catalog,
  runId: number,
  versionId: number
): { version: ReturnType<typeof readVersion>['version']; classNames: string[]; items: JobItem[] } {
  const { version, items } = readVersion(db, versionId)
  const foldSplit = studySplitsForRun(db, runId)
  const splitOf = (i: (typeof items)[number]) => (foldSplit ? (foldSplit.get(i.itemId) ?? null) : i.split)
  return {
    version,
    classNames: version.classes,
    items: items
      .filter((i) => splitOf(i) !== null && i.labelIndex >= 0)
      .map((i) => ({
        itemId: i.itemId,
        path: i.path,
        frame: i.frame,
        plane: i.plane,
        sha256: i.sha256,
        label: i.labelIndex,
        split: splitOf(i)!,
        patientId: i.patientId
      }))
  }
}

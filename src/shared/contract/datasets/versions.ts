import type { Split, SplitConfig } from './split'

/** Frozen dataset versions (src/main/datasets/versions) that training runs reference. */

/** A frozen snapshot of labels, splits and exclusions that a training run references. */
export interface DatasetVersion {
  id: number
  datasetId: number
  /** 1, 2, … per dataset. */
  number: number
  note: string
  createdAt: string
  splitConfig: SplitConfig | null
  /** Class names in label-index order (classes with at least one included item, sorted by name). */
  classes: string[]
  /** Included items per split and class name. */
  counts: Record<Split | 'unassigned', Record<string, number>>
  /** Included items. */
  items: number
  excluded: number
  /** SHA-256 over (item sha256, label, split) of the included items in id order: equal fingerprints = same data. */
  fingerprint: string
}

/** Curation with undo (src/main/datasets/curation): relabel, exclude, classes, notes and tags. */

/** The outcome of one curation action. `opId` is its undo entry (null when nothing changed). */
export interface CurationResult {
  opId: number | null
  changed: number
}

/** One entry of a dataset's undo stack (persisted in the catalog; survives restarts). */
export interface CurationOp {
  id: number
  datasetId: number
  kind: 'relabel' | 'exclude' | 'include' | 'add-class' | 'rename-class' | 'merge-classes' | 'split' | 'keep-together'
  summary: string
  createdAt: string
}

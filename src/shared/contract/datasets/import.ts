/** Importing labelled folders (src/main/datasets/import): progress, results and recorded reports. */

/** Live progress of an import (event `onImportProgress`). */
export interface ImportProgress {
  importId: string
  dataset: string
  root: string
  /** Files found so far (all kinds). */
  seen: number
  /** Files handled so far (imported + updated + skipped + ignored + failed). */
  processed: number
  imported: number
  updated: number
  skipped: number
  ignored: number
  failed: number
  /** True once the folder walk finished, so `seen` is the total. */
  walked: boolean
  /** processed / seen once walked, else null. */
  fraction: number | null
  /** Files handled per second since the start. */
  filesPerSecond: number
  elapsedSeconds: number
}

/** One file that could not be imported. */
export interface ImportError {
  path: string
  reason: string
}

/** The same content (sha256) labelled with two or more classes. */
export interface ConflictGroup {
  sha256: string
  classes: string[]
  items: { itemId: number; path: string; className: string }[]
}

/**
 * An import's file counts. `imported` counts new items only; `updated` files already in the dataset whose content
 * changed; `skipped` files already in the dataset unchanged (re-imports); `ignored` non-image files and files
 * outside class folders; `failed` unreadable images; `conflicts` the conflict groups among the files it saw.
 */
export interface ImportCounts {
  seen: number
  imported: number
  updated: number
  skipped: number
  ignored: number
  failed: number
  conflicts: number
}

/** The result of one import: its counts (see `ImportCounts`), each failed file in `errors`, and its speed. */
export interface ImportResult extends ImportCounts {
  dataset: string
  root: string
  importId: string
  datasetId: number
  conflictGroups: ConflictGroup[]
  errors: ImportError[]
  warnings: string[]
  seconds: number
  filesPerSecond: number
}

/** Event `onImportFinished`: how an import ended. `result` is present when `state` is 'done'. */
export interface ImportFinished {
  importId: string
  state: 'done' | 'failed' | 'cancelled'
  result: ImportResult | null
  error: { code: string; message: string } | null
}

/** A finished import as recorded in the catalog (cancelled imports leave no record). */
export interface ImportSummary extends ImportCounts {
  importId: string
  datasetId: number
  root: string
  startedAt: string
  finishedAt: string
}

/** An import's recorded report: its counts, every failure with its reason, and warnings. */
export interface ImportReport extends ImportSummary {
  errors: ImportError[]
  warnings: string[]
}

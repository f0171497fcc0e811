import { z } from 'zod'
import { Empty, FsPath, Id, Name } from './common'
import { event, rpc } from './define'

/**
 * Dataset curation (issue #4): import labelled folders, curate labels/splits/exclusions with undo, split by
 * patient, find leakage, freeze versions for training, export.
 */

/** A data split. Items not yet split are `null` in rows and 'unassigned' in filters and counts. */
export type Split = 'train' | 'val' | 'test'
export const SPLITS: readonly Split[] = ['train', 'val', 'test']

/** What kind of file an item is, recognised by content. */
export type ItemKind = 'dicom' | 'png' | 'jpeg'

/** Counts of included (not excluded) items per split; `unassigned` = not yet split. */
export interface SplitCounts {
  train: number
  val: number
  test: number
  unassigned: number
}

export interface DatasetSummary {
  id: number
  name: string
  createdAt: string
  updatedAt: string
  /** All items, excluded ones included. */
  items: number
  excluded: number
  classes: number
  /** Included items per split. */
  splits: SplitCounts
  /** The parameters of the last split, null before the first. */
  splitConfig: SplitConfig | null
  versions: number
}

export interface ClassSummary {
  id: number
  datasetId: number
  name: string
  /** Included items with this label. */
  total: number
  /** Included items per split. */
  splits: SplitCounts
  excluded: number
}

/** How items are grouped so no group spans two splits. */
export type GroupBy =
  /** DICOM PatientID (0010,0020); items without one are their own group. */
  | { kind: 'patient' }
  /** Every item alone (exact duplicates are still kept together). */
  | { kind: 'none' }
  /** A folder level of the path relative to the import root: 0 = class folder, 1 = the folder inside it, … */
  | { kind: 'folder'; level: number }
  /** A regular expression on the path relative to the import root ('/'-separated); key = group 1, else the match. */
  | { kind: 'regex'; pattern: string }

export const GroupBySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patient') }).strict(),
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('folder'), level: z.number().int().min(0).max(64) }).strict(),
  z
    .object({
      kind: z.literal('regex'),
      pattern: z
        .string()
        .min(1)
        .max(500)
        .refine((p) => {
          try {
            new RegExp(p)
            return true
          } catch {
            return false
          }
        }, 'must be a valid regular expression')
    })
    .strict()
])

/** Fractions of each split (sum 1), seed and grouping: everything needed to reproduce a split. */
export interface SplitConfig {
  train: number
  val: number
  test: number
  seed: number
  groupBy: GroupBy
}

const Fraction = z.number().min(0).max(1)

export const SplitRequest = z
  .object({
    datasetId: Id,
    val: Fraction.default(0.15),
    test: Fraction.default(0.15),
    seed: z.number().int().min(0).max(0xffffffff).default(42),
    groupBy: GroupBySchema.default({ kind: 'patient' })
  })
  .strict()
  .refine((r) => r.val + r.test < 1, 'val + test must leave a non-empty train fraction')

/** The outcome of a split: per-split class counts and how many groups (patients) each split holds. */
export interface SplitReport {
  datasetId: number
  config: SplitConfig
  /** Groups formed (patients, folders, or single items), after merging exact duplicates. */
  groups: number
  /** Included items that had no group key (no PatientID, no regex match) and were grouped alone. */
  itemsWithoutGroupKey: number
  perSplit: Record<Split, { items: number; groups: number; classes: Record<string, number> }>
  /** Items whose split changed. */
  changed: number
  /** The undo entry, null when nothing changed. */
  opId: number | null
}

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
 * The result of one import. `imported` counts new items only; `updated` files already in the dataset whose
 * content changed; `skipped` files already in the dataset unchanged (re-imports); `ignored` non-image files and
 * files outside class folders; `failed` unreadable images (see `errors`).
 */
export interface ImportResult {
  importId: string
  datasetId: number
  dataset: string
  root: string
  seen: number
  imported: number
  updated: number
  skipped: number
  ignored: number
  failed: number
  /** Conflict groups among the files this import saw. */
  conflicts: number
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
export interface ImportSummary {
  importId: string
  datasetId: number
  root: string
  startedAt: string
  finishedAt: string
  seen: number
  imported: number
  updated: number
  skipped: number
  ignored: number
  failed: number
  conflicts: number
}

/** An import's recorded report: its counts, every failure with its reason, and warnings. */
export interface ImportReport extends ImportSummary {
  errors: ImportError[]
  warnings: string[]
}

export type ItemFlag = 'excluded' | 'included' | 'conflict' | 'duplicate'

export const ListItemsRequest = z
  .object({
    datasetId: Id,
    classId: Id.optional(),
    split: z.enum(['train', 'val', 'test', 'unassigned']).optional(),
    flag: z.enum(['excluded', 'included', 'conflict', 'duplicate']).optional(),
    tag: z.string().min(1).max(100).optional(),
    /** Substring of the path relative to the import root, case-insensitive. */
    search: z.string().min(1).max(500).optional(),
    orderBy: z.enum(['id', 'path', 'class', 'split', 'size', 'width']).default('id'),
    desc: z.boolean().default(false),
    offset: z.number().int().min(0).max(10_000_000).default(0),
    limit: z.number().int().min(1).max(1000).default(100)
  })
  .strict()

/** One catalog item: a file that stays where it is, with its label, split and curation state. */
export interface DatasetItem {
  id: number
  datasetId: number
  classId: number
  /** Current label. */
  className: string
  /** The class folder the file was imported from (differs from `className` after a relabel). */
  folderClass: string
  /** Absolute path. */
  path: string
  /** Path relative to the import root, '/'-separated, starting with the class folder. */
  relPath: string
  kind: ItemKind
  /** Pixels (DICOM Columns (0028,0011)). */
  width: number
  /** Pixels (DICOM Rows (0028,0010)). */
  height: number
  /** Number of Frames (0028,0008), 1 for PNG/JPEG. */
  frames: number
  /** Bytes. */
  size: number
  /** Hex SHA-256 of the file's bytes. */
  sha256: string
  /** 64-bit difference hash of the thumbnail as 16 hex digits, null if not computed. */
  dhash: string | null
  split: Split | null
  excluded: boolean
  excludeReason: string | null
  note: string | null
  tags: string[]
  /** DICOM (0008,0060). */
  modality: string | null
  /** DICOM (0010,0020). */
  patientId: string | null
  /** DICOM (0020,000D). */
  studyInstanceUID: string | null
  /** DICOM (0020,000E). */
  seriesInstanceUID: string | null
  /** DICOM (0020,0013). */
  instanceNumber: number | null
  /** Media reference for the thumbnail: `thumb/<id>` (neuropath-media://thumb/<id> or /media/thumb/<id>). */
  thumb: string
  /** Another item has the same sha256. */
  duplicate: boolean
  /** Another included item with the same sha256 has a different label. */
  conflict: boolean
}

export interface ItemPage {
  total: number
  offset: number
  items: DatasetItem[]
}

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

/** A file in a leakage finding. */
export interface LeakageItem {
  itemId: number
  path: string
  className: string
  split: Split | null
  /** Media reference of its thumbnail. */
  thumb: string
}

/** Files that are the same image (exact: same sha256; near: dHash within the threshold) across splits or classes. */
export interface LeakageFinding {
  /** 'exact:<sha256>' or 'near:<smallest item id>'. */
  id: string
  kind: 'exact' | 'near'
  /** The files sit in different splits. */
  crossSplit: boolean
  /** The files carry different labels. */
  crossClass: boolean
  /** Largest Hamming distance between linked dHashes (0 for exact). */
  maxDistance: number
  paths: string[]
  items: LeakageItem[]
}

export interface LeakageReport {
  datasetId: number
  /** Hamming threshold used for near-duplicates (bits of 64). */
  threshold: number
  /** Included items compared. */
  itemsChecked: number
  exact: LeakageFinding[]
  near: LeakageFinding[]
  /**
   * True when the near-duplicate search stopped at its work budget (50 million candidate pairs): near findings
   * may be incomplete. Happens only when thousands of items have almost the same dHash; lower the threshold.
   */
  truncated: boolean
}

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

export interface ExportResult {
  dest: string
  layout: 'copy' | 'symlink' | 'csv'
  /** Items written (files or manifest rows). */
  items: number
  /** Bytes copied (0 for symlinks and CSV). */
  bytes: number
  /** The CSV manifest written (for folder layouts: dest/manifest.csv). */
  manifest: string
}

const DatasetRef = z.object({ datasetId: Id }).strict()
const ItemIds = z.array(Id).min(1).max(100_000)
const Tag = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f,]*$/, 'must not contain commas or control characters')

export const datasetsService = {
  /** Every dataset with item, class, split and version counts. */
  list: rpc(Empty).returns<DatasetSummary[]>(),
  get: rpc(DatasetRef).returns<DatasetSummary>(),
  /** Creates an empty dataset (importing into a new name creates it too). */
  create: rpc(z.object({ name: Name }).strict()).returns<DatasetSummary>(),
  rename: rpc(z.object({ datasetId: Id, name: Name }).strict()).returns<DatasetSummary>(),
  /** Deletes a dataset and its items from the catalog (files stay). Refused (CONFLICT) once it has versions. */
  remove: rpc(DatasetRef).returns<{ removed: number }>(),

  /**
   * Starts importing `root` (one subfolder per class) into the dataset named `dataset`, created if needed.
   * Progress arrives as `onImportProgress`, the end as `onImportFinished`; the job shows in the status bar.
   */
  startImport: rpc(z.object({ dataset: Name, root: FsPath }).strict()).returns<{ importId: string; jobId: string }>(),
  /** Cancels a running import; the catalog is left as it was before that import. */
  cancelImport: rpc(z.object({ importId: z.string().min(1).max(100) }).strict()).returns<{ cancelled: boolean }>(),
  listImports: rpc(DatasetRef).returns<ImportSummary[]>(),
  getImportReport: rpc(z.object({ importId: z.string().min(1).max(100) }).strict()).returns<ImportReport>(),

  /** Classes with included counts per split. */
  listClasses: rpc(DatasetRef).returns<ClassSummary[]>(),
  /** A page of items with filters and ordering. */
  listItems: rpc(ListItemsRequest).returns<ItemPage>(),
  getItem: rpc(z.object({ itemId: Id }).strict()).returns<DatasetItem>(),

  /** Gives items a new label (undoable). */
  relabel: rpc(z.object({ itemIds: ItemIds, classId: Id }).strict()).returns<CurationResult>(),
  /** Excludes or re-includes items (undoable). */
  setExcluded: rpc(
    z.object({ itemIds: ItemIds, excluded: z.boolean(), reason: z.string().trim().max(500).optional() }).strict()
  ).returns<CurationResult>(),
  addClass: rpc(z.object({ datasetId: Id, name: Name }).strict()).returns<CurationResult & { classId: number }>(),
  renameClass: rpc(z.object({ classId: Id, name: Name }).strict()).returns<CurationResult>(),
  /** Moves every item of the source classes to the target class and deletes the sources (undoable). */
  mergeClasses: rpc(
    z.object({ sourceClassIds: z.array(Id).min(1).max(1000), targetClassId: Id }).strict()
  ).returns<CurationResult>(),
  /** Sets (or clears with null) an item's free-text note. Not on the undo stack. */
  setNote: rpc(z.object({ itemId: Id, note: z.string().max(10_000).nullable() }).strict()).returns<{
    changed: number
  }>(),
  /** Adds and removes tags on items. Not on the undo stack. */
  updateTags: rpc(
    z
      .object({
        itemIds: ItemIds,
        add: z.array(Tag).max(50).default([]),
        remove: z.array(Tag).max(50).default([])
      })
      .strict()
  ).returns<{ changed: number }>(),

  /** The undo stack, newest first (the last 50 actions per dataset). */
  history: rpc(DatasetRef).returns<CurationOp[]>(),
  /** Undoes the newest `count` actions, newest first, in one transaction. */
  undo: rpc(z.object({ datasetId: Id, count: z.number().int().min(1).max(50).default(1) }).strict()).returns<{
    undone: CurationOp[]
  }>(),

  /** Assigns train/val/test, stratified by class and grouped so no group spans two splits (undoable). */
  split: rpc(SplitRequest).returns<SplitReport>(),
  /** Exact and near duplicates that sit in different splits or classes. */
  leakage: rpc(
    z.object({ datasetId: Id, threshold: z.number().int().min(0).max(20).default(6) }).strict()
  ).returns<LeakageReport>(),
  /**
   * Resolves a finding: 'keep-together' moves the items, and every item grouped with them, into one split
   * (`split`, default the split most of them are in); 'exclude' excludes them all but `keepItemId`. Undoable.
   */
  resolveLeakage: rpc(
    z
      .object({
        datasetId: Id,
        itemIds: z.array(Id).min(1).max(10_000),
        action: z.enum(['keep-together', 'exclude']),
        split: z.enum(['train', 'val', 'test']).optional(),
        keepItemId: Id.optional()
      })
      .strict()
  ).returns<CurationResult>(),

  /** Freezes the current labels, splits and exclusions as a new version. */
  createVersion: rpc(
    z.object({ datasetId: Id, note: z.string().trim().max(2000).default('') }).strict()
  ).returns<DatasetVersion>(),
  listVersions: rpc(DatasetRef).returns<DatasetVersion[]>(),
  /**
   * Writes the included items (of a version, or the current state) as `dest/<split>/<class>/<file>` copies or
   * symlinks plus `dest/manifest.csv`, or as one CSV manifest at `dest`. Never overwrites.
   */
  exportDataset: rpc(
    z
      .object({
        datasetId: Id,
        versionId: Id.optional(),
        dest: FsPath,
        layout: z.enum(['copy', 'symlink', 'csv']).default('copy')
      })
      .strict()
  ).returns<ExportResult>(),

  onImportProgress: event<ImportProgress>(),
  onImportFinished: event<ImportFinished>(),
  /** Something in a dataset changed (import, curation, undo, split); the UI refetches. */
  onChanged: event<{ datasetId: number; reason: string }>()
}

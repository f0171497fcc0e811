import { z } from 'zod'
import { Empty, FsPath, Id, Name } from './common'
import { event, rpc } from './define'
import type { CurationOp, CurationResult } from './datasets/curation'
import type { ExportResult } from './datasets/export'
import type { ImportFinished, ImportProgress, ImportReport, ImportSummary } from './datasets/import'
import type { LeakageReport } from './datasets/leakage'
import {
  GroupBySchema,
  SplitRequest,
  type GroupingPreview,
  type GroupingSuggestion,
  type SplitReport
} from './datasets/split'
import {
  ListItemsRequest,
  type ClassSummary,
  type DatasetItem,
  type DatasetSummary,
  type ItemPage
} from './datasets/store'
import type { DatasetVersion } from './datasets/versions'

/**
 * Dataset curation (issue #4): import labelled folders, curate labels/splits/exclusions with undo, split by
 * patient, find leakage, freeze versions for training, export. The service is declared here; its types live
 * in one file per feature under ./datasets/, mirroring src/main/datasets/*, and are re-exported from here.
 */

export * from './datasets/split'
export * from './datasets/store'
export * from './datasets/import'
export * from './datasets/curation'
export * from './datasets/leakage'
export * from './datasets/versions'
export * from './datasets/export'

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
   * NIfTI volumes (.nii, .nii.gz, .hdr/.img) become one item per slice along `volumePlane` (default axial);
   * `skipEmptySlices` leaves out slices with under 5 % non-background voxels. A multi-frame DICOM file becomes
   * one item per frame. The items of one file share a group key, so a split never divides them.
   */
  startImport: rpc(
    z
      .object({
        dataset: Name,
        root: FsPath,
        volumePlane: z.enum(['axial', 'coronal', 'sagittal']).optional(),
        skipEmptySlices: z.boolean().optional()
      })
      .strict()
  ).returns<{ importId: string; jobId: string }>(),
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
  /**
   * What `groupBy` would group (counts and the largest groups' keys), and, when most items lack a PatientID, a
   * grouping inferred from the paths (folder level or file-name prefix) with its own preview.
   */
  previewGrouping: rpc(z.object({ datasetId: Id, groupBy: GroupBySchema }).strict()).returns<{
    preview: GroupingPreview
    suggestion: GroupingSuggestion | null
  }>(),
  /** Exact and near duplicates that sit in different splits or classes. */
  leakage: rpc(
    z
      .object({
        datasetId: Id,
        threshold: z.number().int().min(0).max(20).default(6),
        /** Pixel distance threshold in standard deviations; absent = the calibrated default. */
        pixelThreshold: z.number().min(0).max(5).optional()
      })
      .strict()
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
        keepItemId: Id.optional(),
        /** Only count what would change (for the confirmation); nothing is written and nothing goes on the undo stack. */
        dryRun: z.boolean().default(false)
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

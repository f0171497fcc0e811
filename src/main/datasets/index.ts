/**
 * Dataset curation backend (issue #4). The training engine needs only `createVersion` and `readVersion`;
 * the service layer (src/main/services/datasets-service.ts) and the CLI use the rest.
 */
export { importFolder, newImportId, type ImportOptions } from './import/import-folder'
export { ensureThumbnail, thumbnailPath, THUMB_SIZE } from './import/thumbnail-cache'
export {
  listDatasets,
  getDataset,
  createDataset,
  renameDataset,
  removeDataset,
  requireDatasetByName
} from './store/datasets-store'
export { listClasses } from './store/classes-store'
export { listItems, getItem } from './store/items-query'
export { listImports, getImportReport } from './store/imports-store'
export { relabelItems } from './curation/relabel'
export { setExcluded } from './curation/exclusion'
export { addClass, renameClass, mergeClasses } from './curation/classes-ops'
export { setNote, updateTags } from './curation/notes-tags'
export { listOps, undoOps, UNDO_DEPTH } from './curation/op-log'
export { splitDataset, describeGroupBy } from './split/split-dataset'
export { loadSplitRows } from './split/split-dataset'
export { previewGrouping, suggestGrouping } from './split/infer-grouping'
export { findLeakage, DEFAULT_NEAR_THRESHOLD } from './leakage/find-leakage'
export { resolveLeakage } from './leakage/resolve-leakage'
export { createVersion, listVersions, getVersion } from './versions/create-version'
export { readVersion, type VersionItem } from './versions/read-version'
export { exportDataset } from './export/export-dataset'

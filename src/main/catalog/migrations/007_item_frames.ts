import * as itemSql from './item-table-sql'
import type { Migration } from './types'

/**
 * One item per frame (#16): a multi-frame DICOM file becomes one item per frame and a NIfTI volume one item per
 * slice along the plane it was imported along, so `dataset_items` drops UNIQUE(dataset_id, path) for
 * UNIQUE(dataset_id, path, frame) and accepts kind 'nifti'. New columns:
 * - `frame`: 0-based DICOM frame or volume slice (counted as `planeGeometry` scrolls); existing rows are frame 0;
 * - `plane`: 'axial' | 'coronal' | 'sagittal' for volume slices, else null;
 * - `group_key`: items that must share a split whatever the grouping rule ('volume:<rel path>' for the slices
 *   of one volume, 'file:<rel path>' for the frames of one multi-frame file), else null.
 * The staging table gets the same columns. SQLite cannot change a constraint in place, so the table is
 * rebuilt (foreign keys off while it is, see `Migration.rebuildsTables`); ids are kept, so tags, frozen
 * versions and evidence rows keep pointing at their items.
 */
export const m007ItemFrames: Migration = {
  version: 7,
  name: 'dataset items per frame and volume slice',
  rebuildsTables: true,
  up(db) {
    db.exec(`
      CREATE TABLE dataset_items_v7 (
        ${itemSql.ITEM_SOURCE_COLUMNS}
        ${itemSql.FILE_COLUMNS}
        kind TEXT NOT NULL CHECK (kind IN ('dicom', 'png', 'jpeg', 'nifti')),
        ${itemSql.IMAGE_COLUMNS},
        ${itemSql.CURATION_COLUMNS}
        frame INTEGER NOT NULL DEFAULT 0 CHECK (frame >= 0),
        plane TEXT CHECK (plane IN ('axial', 'coronal', 'sagittal')),
        group_key TEXT,
        UNIQUE (dataset_id, path, frame)
      );
      INSERT INTO dataset_items_v7 (id, dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size,
        mtime_ms, kind, width, height, frames, modality, patient_id, study_uid, series_uid, instance_number, dhash,
        split, excluded, exclude_reason, note, created_at)
      SELECT id, dataset_id, class_id, folder_class, path, rel_path, import_id, sha256, size, mtime_ms, kind, width,
        height, frames, modality, patient_id, study_uid, series_uid, instance_number, dhash, split, excluded,
        exclude_reason, note, created_at
      FROM dataset_items;
      DROP TABLE dataset_items;
      ALTER TABLE dataset_items_v7 RENAME TO dataset_items;
      ${itemSql.ITEM_INDEXES}
      CREATE INDEX dataset_items_by_group ON dataset_items (dataset_id, group_key) WHERE group_key IS NOT NULL;

      ALTER TABLE dataset_import_staging ADD COLUMN frame INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE dataset_import_staging ADD COLUMN plane TEXT;
      ALTER TABLE dataset_import_staging ADD COLUMN group_key TEXT;
    `)
  }
}

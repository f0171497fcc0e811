import * as itemSql from './item-table-sql'
import type { Migration } from './types'

/**
 * Datasets (issue #4): classes, items (files stay in place; the catalog keeps path, content hash, header
 * fields, label, split and exclusion), tags, import records and their errors, a staging table that makes an
 * import all-or-nothing, the persisted undo stack, and frozen versions that training runs reference.
 */
export const m002Datasets: Migration = {
  version: 2,
  name: 'datasets',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL COLLATE NOCASE UNIQUE,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        split_config_json TEXT
      );

      CREATE TABLE dataset_classes (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL COLLATE NOCASE,
        created_at TEXT NOT NULL,
        UNIQUE (dataset_id, name)
      );

      CREATE TABLE dataset_imports (
        id TEXT PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        root TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        seen INTEGER NOT NULL,
        imported INTEGER NOT NULL,
        updated INTEGER NOT NULL,
        skipped INTEGER NOT NULL,
        ignored INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        conflicts INTEGER NOT NULL,
        warnings_json TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX dataset_imports_by_dataset ON dataset_imports (dataset_id, started_at);

      CREATE TABLE dataset_import_errors (
        import_id TEXT NOT NULL REFERENCES dataset_imports(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX dataset_import_errors_by_import ON dataset_import_errors (import_id);

      CREATE TABLE dataset_items (
        ${itemSql.ITEM_SOURCE_COLUMNS}
        ${itemSql.FILE_COLUMNS}
        kind TEXT NOT NULL CHECK (kind IN ('dicom', 'png', 'jpeg')),
        ${itemSql.IMAGE_COLUMNS},
        ${itemSql.CURATION_COLUMNS}
        UNIQUE (dataset_id, path)
      );
      ${itemSql.ITEM_INDEXES}

      CREATE TABLE dataset_item_tags (
        item_id INTEGER NOT NULL REFERENCES dataset_items(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (item_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX dataset_item_tags_by_tag ON dataset_item_tags (tag, item_id);

      -- Rows of imports still running; moved into dataset_items in one transaction when an import ends.
      CREATE TABLE dataset_import_staging (
        import_id TEXT NOT NULL,
        staged_at TEXT NOT NULL,
        existing_item_id INTEGER,
        class_name TEXT NOT NULL,
        path TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        ${itemSql.FILE_COLUMNS}
        kind TEXT NOT NULL,
        ${itemSql.IMAGE_COLUMNS}
      );
      CREATE INDEX dataset_import_staging_by_import ON dataset_import_staging (import_id);

      CREATE TABLE dataset_curation_ops (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        summary TEXT NOT NULL,
        inverse_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX dataset_curation_ops_by_dataset ON dataset_curation_ops (dataset_id, id);

      CREATE TABLE dataset_versions (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE RESTRICT,
        number INTEGER NOT NULL,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL,
        split_config_json TEXT,
        classes_json TEXT NOT NULL,
        counts_json TEXT NOT NULL,
        items INTEGER NOT NULL,
        excluded INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        UNIQUE (dataset_id, number)
      );

      CREATE TABLE dataset_version_items (
        version_id INTEGER NOT NULL REFERENCES dataset_versions(id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL REFERENCES dataset_items(id),
        label TEXT NOT NULL,
        label_index INTEGER NOT NULL,
        split TEXT,
        excluded INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (version_id, item_id)
      ) WITHOUT ROWID;
      CREATE INDEX dataset_version_items_item_fk ON dataset_version_items (item_id);
    `)
  }
}

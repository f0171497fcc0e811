/*
 * SQL text of `dataset_items` shared by the migrations that create it (002) and rebuild it (007), and by the
 * import staging table (002), which holds the same file facts. FROZEN: released migrations build their SQL from
 * these strings, so they must never change (a change would alter what an old migration creates); a later schema
 * change writes its own SQL. Each fragment is whole column lines at the indentation of the migrations' SQL, so
 * the stored CREATE statements are the same text as before they were shared
 * (test/unit/foundation/released-schema.test.ts checks the schema every released migration leaves).
 */

/** Identity, owner and source of an item: the columns before its file facts. */
export const ITEM_SOURCE_COLUMNS = `id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES dataset_classes(id),
        folder_class TEXT NOT NULL,
        path TEXT NOT NULL,
        rel_path TEXT NOT NULL,
        import_id TEXT NOT NULL REFERENCES dataset_imports(id),`

/** The file's content hash, size and modification time (items and staging rows). */
export const FILE_COLUMNS = `sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,`

/** Image geometry and DICOM header fields read at import (items and staging rows); follows the `kind` column. No
 * trailing comma: it ends the staging table. */
export const IMAGE_COLUMNS = `width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        frames INTEGER NOT NULL,
        modality TEXT,
        patient_id TEXT,
        study_uid TEXT,
        series_uid TEXT,
        instance_number INTEGER,
        dhash TEXT`

/** Curation state of an item: split, exclusion, note and creation time. */
export const CURATION_COLUMNS = `split TEXT CHECK (split IN ('train', 'val', 'test')),
        excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
        exclude_reason TEXT,
        note TEXT,
        created_at TEXT NOT NULL,`

/** The indexes of dataset_items as 002 created them (007 recreates them after its rebuild). */
export const ITEM_INDEXES = `CREATE INDEX dataset_items_by_class ON dataset_items (dataset_id, class_id, split);
      CREATE INDEX dataset_items_by_split ON dataset_items (dataset_id, split);
      CREATE INDEX dataset_items_by_sha ON dataset_items (dataset_id, sha256);
      CREATE INDEX dataset_items_by_rel_path ON dataset_items (dataset_id, rel_path);
      CREATE INDEX dataset_items_by_size ON dataset_items (dataset_id, size);
      CREATE INDEX dataset_items_by_width ON dataset_items (dataset_id, width);
      CREATE INDEX dataset_items_class_fk ON dataset_items (class_id);
      CREATE INDEX dataset_items_import_fk ON dataset_items (import_id);`

/** Exporting a dataset or version (src/main/datasets/export). */

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

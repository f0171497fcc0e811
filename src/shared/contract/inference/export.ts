/** What an export produced: the file written under the workspace's exports/ folder, and its text. */
export interface InferenceExport {
  path: string
  fileName: string
  format: 'csv' | 'json'
  deidentified: boolean
  rows: number
  content: string
}

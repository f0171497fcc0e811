import type { DatasetVersion, ExportResult } from '../../../shared/contract/datasets'
import { api } from '../lib/api'

/** Export layouts offered in the panel. */
export type ExportLayout = 'copy' | 'symlink' | 'csv'

/** The export panel: frozen versions (list and create) and export of a version or the current state to a path. */
export class ExportState {
  dest = $state('')
  layout = $state<ExportLayout>('copy')
  /** null = the current labels, not a frozen version. */
  versionId = $state<number | null>(null)
  versions = $state.raw<DatasetVersion[]>([])
  note = $state('')
  running = $state(false)
  result = $state.raw<ExportResult | null>(null)
  error = $state<string | null>(null)
  private loadedFor: number | null = null

  /** `onChanged` runs after a new version was frozen (the header shows the version count). */
  constructor(private readonly onChanged: () => void = () => {}) {}

  async load(datasetId: number, force = false): Promise<void> {
    if (datasetId === this.loadedFor && !force) return
    if (datasetId !== this.loadedFor) {
      this.versionId = null
      this.result = null
      this.error = null
    }
    this.loadedFor = datasetId
    try {
      this.versions = await api.datasets.listVersions({ datasetId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async freeze(datasetId: number): Promise<void> {
    this.error = null
    // Take the note now: a note typed while this version is being frozen belongs to the next one.
    const note = this.note
    this.note = ''
    try {
      const v = await api.datasets.createVersion({ datasetId, note })
      this.onChanged()
      await this.load(datasetId, true)
      this.versionId = v.id
    } catch (err) {
      if (!this.note) this.note = note
      this.error = (err as Error).message
    }
  }

  async run(datasetId: number): Promise<void> {
    const dest = this.dest.trim()
    if (!dest) {
      this.error = this.layout === 'csv' ? 'Type the path of the CSV file to write' : 'Type the path of an empty folder'
      return
    }
    this.running = true
    this.error = null
    this.result = null
    try {
      this.result = await api.datasets.exportDataset({
        datasetId,
        versionId: this.versionId ?? undefined,
        dest,
        layout: this.layout
      })
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.running = false
    }
  }
}

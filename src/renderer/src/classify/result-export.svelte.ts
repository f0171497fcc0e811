import type { InferenceExport } from '../../../shared/contract/inference'
import { api } from '../lib/api'
import { downloadText } from '../lib/download'

/** Export of the open classification job: format, de-identification, the last file written and its error. */
export class ResultExport {
  format = $state<'csv' | 'json'>('csv')
  deidentify = $state(false)
  exporting = $state(false)
  last = $state.raw<InferenceExport | null>(null)
  error = $state<string | null>(null)

  /** Forgets the last export (another job was opened). */
  reset(): void {
    this.last = null
    this.error = null
  }

  /** Writes the job's export under the workspace's exports/ folder and offers the file as a download. */
  async run(jobId: number, lowConfidenceThreshold: number): Promise<void> {
    this.exporting = true
    this.error = null
    try {
      const res = await api.inference.exportJob({
        jobId,
        format: this.format,
        deidentify: this.deidentify,
        lowConfidenceThreshold
      })
      this.last = res
      downloadText(res.content, res.format === 'csv' ? 'text/csv' : 'application/json', res.fileName)
    } catch (err) {
      this.error = (err as Error)?.message ?? String(err)
    } finally {
      this.exporting = false
    }
  }
}

import type { ExternalEvaluation } from '../../../shared/contract'
import { api } from '../lib/api'

/** External evaluations of the open run: the stored list, and one being computed from a folder. */
export class ExternalState {
  runId = $state<number | null>(null)
  list = $state.raw<ExternalEvaluation[]>([])
  openId = $state<number | null>(null)
  busy = $state(false)
  error = $state<string | null>(null)

  async load(runId: number): Promise<void> {
    this.runId = runId
    this.error = null
    try {
      const list = await api.evidence.listExternalEvaluations({ runId })
      if (this.runId === runId) this.list = list
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** `tta`: classify with test-time augmentation (left–right mirror and 5 % shifts, probabilities averaged). */
  async evaluate(folder: string, name: string, tta: boolean): Promise<void> {
    const runId = this.runId
    if (runId === null || !folder.trim()) return
    this.busy = true
    this.error = null
    try {
      const e = await api.evidence.evaluateExternal({
        runId,
        folder: folder.trim(),
        name: name.trim() || undefined,
        tta
      })
      await this.load(runId)
      this.openId = e.id
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.busy = false
    }
  }
}

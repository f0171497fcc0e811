import type { ExportedModel, RunDetail, RunStatus } from '../../../shared/contract/training'
import { SvelteMap } from 'svelte/reactivity'
import { api } from '../lib/api'
import { liveRuns } from './live-runs.svelte'
import { tableRows, type RunColumn } from './run-table'

/**
 * The Runs view's state for the session: filter, sort, the checked runs (to compare), the open run and the
 * details fetched for them.
 */
export class RunsState {
  text = $state('')
  status = $state<RunStatus | 'all'>('all')
  column = $state<RunColumn>('startedAt')
  desc = $state(true)
  checked = $state.raw<number[]>([])
  openId = $state<number | null>(null)
  comparing = $state(false)
  /** Details fetched for the open and the compared runs, by id. */
  readonly details = new SvelteMap<number, RunDetail>()
  error = $state<string | null>(null)
  /** The last report exported this session: where it was written and a blob URL to download it again. */
  report = $state<{ runId: number; path: string; url: string; fileName: string } | null>(null)
  /** The last model exported this session (ONNX file or tfjs folder in the workspace exports/). */
  exportedModel = $state.raw<ExportedModel | null>(null)

  readonly rows = $derived(
    tableRows(liveRuns.runs, { text: this.text, status: this.status }, { column: this.column, desc: this.desc })
  )
  readonly open: RunDetail | null = $derived(this.openId === null ? null : (this.details.get(this.openId) ?? null))

  sortBy(c: RunColumn): void {
    if (this.column === c) this.desc = !this.desc
    else {
      this.column = c
      this.desc = c !== 'name' && c !== 'dataset' && c !== 'backbone' && c !== 'backend' && c !== 'status'
    }
  }

  toggle(id: number): void {
    this.checked = this.checked.includes(id) ? this.checked.filter((x) => x !== id) : [...this.checked, id]
  }

  /** Fetches (again) a run's detail: curves, evaluation, log. */
  async load(id: number): Promise<RunDetail> {
    const d = await api.training.getRun({ runId: id })
    this.details.set(id, d)
    return d
  }

  async openRun(id: number): Promise<void> {
    this.openId = id
    this.comparing = false
    this.error = null
    try {
      await this.load(id)
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async compare(): Promise<void> {
    this.comparing = true
    this.error = null
    try {
      await Promise.all(this.checked.map((id) => this.load(id)))
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async rename(id: number, name: string): Promise<void> {
    await api.training.renameRun({ runId: id, name })
    await Promise.all([liveRuns.refresh(), this.load(id)])
  }

  async annotate(id: number, note: string): Promise<void> {
    await api.training.annotateRun({ runId: id, note })
    await Promise.all([liveRuns.refresh(), this.load(id)])
  }

  /**
   * Writes the run's HTML report to the workspace exports/ and downloads it. The HTML comes back with the call,
   * so the download works the same in Electron and in a browser.
   */
  async exportReport(id: number): Promise<void> {
    const r = await api.training.exportReport({ runId: id })
    if (this.report) URL.revokeObjectURL(this.report.url)
    const url = URL.createObjectURL(new Blob([r.html], { type: 'text/html' }))
    this.report = { runId: id, path: r.path, url, fileName: r.fileName }
    const a = document.createElement('a')
    a.href = url
    a.download = r.fileName
    a.click()
  }

  /** Copies the run's model to the workspace exports/ as model.onnx or as the tfjs folder. */
  async exportModel(id: number, format: 'onnx' | 'tfjs'): Promise<void> {
    this.exportedModel = await api.training.exportModel({ runId: id, format })
  }

  /** Puts a path on the clipboard. */
  async copyPath(text: string): Promise<void> {
    await navigator.clipboard.writeText(text)
  }

  async remove(id: number): Promise<void> {
    await api.training.deleteRun({ runId: id })
    liveRuns.forget(id)
    this.details.delete(id)
    this.checked = this.checked.filter((x) => x !== id)
    if (this.openId === id) this.openId = null
    await liveRuns.refresh()
  }
}

/** The session's one Runs view state. */
export const runsState = new RunsState()

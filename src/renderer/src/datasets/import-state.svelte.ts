import type {
  ImportFinished,
  ImportProgress,
  ImportReport,
  ImportResult,
  ImportSummary
} from '../../../shared/contract/datasets'
import type { ViewerPlane } from '../../../shared/contract/imaging'
import { api } from '../lib/api'
import { folderName } from './labels'

/** Where an import stands, as the import panel shows it. */
export type ImportPhase = 'idle' | 'starting' | 'running' | 'done' | 'failed' | 'cancelled'

/**
 * One folder import at a time from the Datasets view: the typed folder and dataset name, live progress from
 * `onImportProgress`, and the report from `onImportFinished`. Events carry the import id; ones for other imports
 * (another window, the CLI) are ignored.
 */
export class ImportState {
  root = $state('')
  /** Dataset name; follows the folder name until the user types one. */
  name = $state('')
  nameEdited = $state(false)
  /** NIfTI volumes in the folder are imported as slices along this plane (other files ignore it). */
  volumePlane = $state<ViewerPlane>('axial')
  /** Leave out volume slices with under 5 % non-background voxels (the importer's fixed threshold). */
  skipEmptySlices = $state(false)
  phase = $state<ImportPhase>('idle')
  importId = $state<string | null>(null)
  progress = $state.raw<ImportProgress | null>(null)
  result = $state.raw<ImportResult | null>(null)
  /** Why the import could not start or failed (e.g. a folder without class subfolders). */
  error = $state<string | null>(null)

  /** Recorded imports of the chosen dataset, newest first. */
  past = $state.raw<ImportSummary[]>([])
  /** A recorded import's report opened from `past`. */
  pastReport = $state.raw<ImportReport | null>(null)

  /** Finished events that arrived before `startImport` answered with their id (not state: nothing shows it). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private early = new Map<string, ImportFinished>()
  private unsubs: (() => void)[] = []

  constructor(private readonly onDone: (result: ImportResult) => void) {}

  /** Starts following import events (call once the view is mounted). */
  listen(): void {
    if (this.unsubs.length) return
    this.unsubs.push(
      api.datasets.onImportProgress((p) => {
        if (p.importId === this.importId && this.phase === 'running') this.progress = p
      }),
      api.datasets.onImportFinished((f) => {
        if (f.importId === this.importId) this.finish(f)
        else if (this.phase === 'starting') this.early.set(f.importId, f)
      })
    )
  }

  dispose(): void {
    for (const u of this.unsubs) u()
    this.unsubs = []
  }

  setRoot(root: string): void {
    this.root = root
    if (!this.nameEdited) this.name = folderName(root)
  }

  setName(name: string): void {
    this.name = name
    this.nameEdited = name.trim() !== ''
  }

  get running(): boolean {
    return this.phase === 'starting' || this.phase === 'running'
  }

  async start(): Promise<void> {
    const root = this.root.trim()
    const name = this.name.trim() || folderName(root)
    if (!root) {
      this.error = 'Type the path of a folder with one subfolder per class'
      return
    }
    if (!name) {
      this.error = 'Type a dataset name'
      return
    }
    this.phase = 'starting'
    this.error = null
    this.result = null
    this.progress = null
    this.early.clear()
    try {
      const { importId } = await api.datasets.startImport({
        dataset: name,
        root,
        volumePlane: this.volumePlane,
        skipEmptySlices: this.skipEmptySlices
      })
      this.importId = importId
      this.phase = 'running'
      const early = this.early.get(importId)
      if (early) this.finish(early)
    } catch (err) {
      this.phase = 'failed'
      this.error = (err as Error).message
    }
  }

  async cancel(): Promise<void> {
    if (!this.importId || this.phase !== 'running') return
    try {
      await api.datasets.cancelImport({ importId: this.importId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** Back to the form for another import. */
  reset(): void {
    if (this.running) return
    this.phase = 'idle'
    this.result = null
    this.progress = null
    this.error = null
  }

  /** Loads the recorded imports of a dataset (null clears). */
  async loadPast(datasetId: number | null): Promise<void> {
    this.pastReport = null
    if (datasetId === null) {
      this.past = []
      return
    }
    try {
      this.past = await api.datasets.listImports({ datasetId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async showPast(importId: string): Promise<void> {
    try {
      this.pastReport = this.pastReport?.importId === importId ? null : await api.datasets.getImportReport({ importId })
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  private finish(f: ImportFinished): void {
    this.phase = f.state
    this.result = f.result
    if (f.state === 'cancelled') this.error = 'Import cancelled: the catalog is as it was before this import'
    else if (f.error) this.error = f.error.message
    if (f.result) this.onDone(f.result)
  }
}

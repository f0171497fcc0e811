import type { EmbeddingMap } from '../../../shared/contract'
import { api } from '../lib/api'
import { categorise } from '../../../shared/display/map-plot'

export type MapLayoutKind = 'pca' | 'umap'
export type MapColourBy = 'class' | 'split' | 'patient'

/**
 * The Datasets view's embedding map: the cached map of the current curation (nsfwjs backbone defaults), the
 * computation with its progress (the PCA shows as soon as the engine sends it), which layout is shown and
 * what colours it. Coordinates are kept as a Float32Array in `$state.raw`, never as reactive arrays.
 */
export class MapState {
  datasetId = $state<number | null>(null)
  map = $state.raw<EmbeddingMap | null>(null)
  layout = $state<MapLayoutKind>('pca')
  colourBy = $state<MapColourBy>('class')
  running = $state(false)
  progress = $state<{ text: string; fraction: number | null } | null>(null)
  error = $state<string | null>(null)
  private listening = false

  /** n × 2 coordinates of the layout shown (the PCA until a UMAP exists, or when chosen). */
  coords = $derived.by(() => {
    const m = this.map
    if (!m) return null
    const l = this.layout === 'umap' && m.umap ? m.umap : m.pca
    return Float32Array.from(l.coords)
  })

  /** Colour index per point and the legend for the chosen colouring. */
  colours = $derived.by(() => {
    const m = this.map
    if (!m) return null
    const values =
      this.colourBy === 'class'
        ? m.labels.map((l) => m.classes[l] ?? null)
        : this.colourBy === 'split'
          ? m.splits.map((s) => s ?? 'not split')
          : m.patients
    return categorise(values)
  })

  private listen(): void {
    if (this.listening) return
    this.listening = true
    api.evidence.onMapEvent((e) => {
      if (e.datasetId !== this.datasetId || !this.running) return
      if (e.type === 'pca') this.map = e.map
      else this.progress = { text: e.text, fraction: e.progress }
    })
  }

  /**
   * Shows the cached map of the dataset's current curation, if any. Asked again on every visit: after curation
   * changed which items are included there is no map of them yet, and class colours follow relabelling.
   */
  async load(datasetId: number): Promise<void> {
    this.listen()
    if (this.running) return
    if (this.datasetId !== datasetId) this.map = null
    this.datasetId = datasetId
    this.error = null
    this.progress = null
    try {
      const m = await api.evidence.getEmbeddingMap({ datasetId })
      if (this.datasetId === datasetId) this.map = m
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  async compute(): Promise<void> {
    const datasetId = this.datasetId
    if (datasetId === null || this.running) return
    this.listen()
    this.running = true
    this.error = null
    this.progress = { text: 'Starting the engine', fraction: null }
    try {
      const m = await api.evidence.computeEmbeddingMap({ datasetId })
      if (this.datasetId === datasetId) this.map = m
    } catch (err) {
      this.error = (err as Error).message
    } finally {
      this.running = false
      this.progress = null
    }
  }

  async cancel(): Promise<void> {
    if (this.datasetId !== null) await api.evidence.cancelEmbeddingMap({ datasetId: this.datasetId })
  }
}

import type { EmbeddingMap, EmbeddingMapRequest, ImportedEncoder, MapPredictions } from '../../../shared/contract'
import { api } from '../lib/api'
import { categorise, fixedCategories, positionOf } from '../../../shared/display/map-plot'

export type MapLayoutKind = 'pca' | 'umap'
export type MapColourBy = 'class' | 'split' | 'patient' | 'prediction' | 'correctness'

/** A source of held-out predictions for the map: a completed run (its test split) or CV study (out-of-fold). */
export interface PredictionSource {
  /** 'run:12' or 'study:3' (what the picker binds). */
  key: string
  label: string
}

const CORRECTNESS = [
  { label: 'correct', css: '#59a14f' },
  { label: 'wrong', css: '#e15759' }
]

/**
 * The Datasets view's embedding map: the cached map of the current curation (nsfwjs backbone defaults, or an
 * imported ONNX encoder), the
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
  /** Completed runs and cross-validation studies of the dataset, offered to colour by prediction. */
  sources = $state.raw<PredictionSource[]>([])
  /** The chosen source's key ('run:12', 'study:3'), or '' for none. */
  sourceKey = $state('')
  /** The chosen source's predictions (null until loaded). */
  predictions = $state.raw<MapPredictions | null>(null)
  /** Imported ONNX encoders, offered as the map's backbone beside the default MobileNetV2. */
  encoders = $state.raw<ImportedEncoder[]>([])
  /** '' = MobileNetV2 (nsfwjs, 224 px); else the SHA-256 of the imported encoder that embeds. */
  backbone = $state('')
  private listening = false

  /** The request for the chosen backbone: an encoder's own input size, stage 2 off (it has none). */
  private request(datasetId: number): EmbeddingMapRequest {
    const e = this.encoders.find((x) => x.sha256 === this.backbone)
    if (!e) return { datasetId }
    return {
      datasetId,
      config: {
        backbone: { kind: 'onnx-encoder', sha256: e.sha256 },
        inputSize: e.declaration.inputSize,
        stage2: { enabled: false }
      }
    }
  }

  /** Chooses the backbone ('' or an encoder's SHA-256) and shows its cached map of the dataset, if any. */
  async chooseBackbone(sha256: string): Promise<void> {
    this.backbone = sha256
    this.map = null
    if (this.datasetId !== null) await this.load(this.datasetId)
  }

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
    if (this.colourBy === 'prediction' || this.colourBy === 'correctness') {
      const p = this.predictions
      const at = positionOf(p?.itemIds ?? [])
      if (this.colourBy === 'prediction')
        return categorise(
          m.itemIds.map((id) => {
            const i = at(id)
            return i === undefined ? null : (p!.classNames[p!.predicted[i]] ?? null)
          }),
          'not predicted'
        )
      return fixedCategories(
        m.itemIds.map((id) => {
          const i = at(id)
          // Correctness only where the item had a label in the source's frozen version.
          if (i === undefined || p!.labels[i] < 0) return null
          return p!.predicted[i] === p!.labels[i] ? 'correct' : 'wrong'
        }),
        CORRECTNESS,
        'not predicted'
      )
    }
    const values =
      this.colourBy === 'class'
        ? m.labels.map((l) => m.classes[l] ?? null)
        : this.colourBy === 'split'
          ? m.splits.map((s) => s ?? 'not split')
          : m.patients
    return categorise(values)
  })

  /** Row index → the source's prediction for that item, for the hover (null where it has none). */
  predictionAt = $derived.by(() => {
    const m = this.map
    const p = this.predictions
    if (!m || !p) return null
    const at = positionOf(p.itemIds)
    return (r: number): { predicted: string; label: string | null; confidence: number } | null => {
      const i = at(m.itemIds[r])
      if (i === undefined) return null
      return {
        predicted: p.classNames[p.predicted[i]],
        label: p.labels[i] >= 0 ? p.classNames[p.labels[i]] : null,
        confidence: p.confidence[i]
      }
    }
  })

  /** Lists the dataset's completed runs (test-split predictions) and CV studies (out-of-fold) for the picker. */
  async loadSources(datasetId: number): Promise<void> {
    try {
      const [runs, studies] = await Promise.all([api.training.listRuns({}), api.evidence.listStudies({})])
      if (this.datasetId !== datasetId) return
      this.sources = [
        ...studies
          .filter((s) => s.datasetId === datasetId && s.kind === 'cv' && s.status === 'completed')
          .map((s) => ({ key: `study:${s.id}`, label: `study ${s.id}: ${s.name} (out-of-fold, every item)` })),
        ...runs
          .filter((r) => r.datasetId === datasetId && r.status === 'completed' && r.evaluationSplit !== null)
          .sort((a, b) => b.id - a.id)
          .map((r) => ({ key: `run:${r.id}`, label: `run ${r.id}: ${r.name} (${r.evaluationSplit} split)` }))
      ]
      if (!this.sources.some((s) => s.key === this.sourceKey)) await this.chooseSource(this.sources[0]?.key ?? '')
    } catch (err) {
      this.error = (err as Error).message
    }
  }

  /** Loads the held-out predictions of a source ('run:12', 'study:3'; '' clears). */
  async chooseSource(key: string): Promise<void> {
    this.sourceKey = key
    this.predictions = null
    const datasetId = this.datasetId
    if (!key || datasetId === null) return
    const [kind, id] = key.split(':')
    try {
      const p = await api.evidence.getMapPredictions(
        kind === 'run' ? { datasetId, runId: Number(id) } : { datasetId, studyId: Number(id) }
      )
      if (this.sourceKey === key) this.predictions = p
    } catch (err) {
      this.error = (err as Error).message
    }
  }

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
      this.encoders = await api.training.listEncoders({})
      const m = await api.evidence.getEmbeddingMap(this.request(datasetId))
      if (this.datasetId === datasetId) this.map = m
    } catch (err) {
      this.error = (err as Error).message
    }
    await this.loadSources(datasetId)
  }

  async compute(): Promise<void> {
    const datasetId = this.datasetId
    if (datasetId === null || this.running) return
    this.listen()
    this.running = true
    this.error = null
    this.progress = { text: 'Starting the engine', fraction: null }
    try {
      const m = await api.evidence.computeEmbeddingMap(this.request(datasetId))
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

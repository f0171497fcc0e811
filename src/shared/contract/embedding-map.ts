import { z } from 'zod'
import { Id } from './common'
import type { Split } from './datasets'
import { TrainingConfigSchema } from './training-config'

/** One 2-D layout of a map: `coords` is n × 2, row-major, row i belonging to EmbeddingMap.itemIds[i]. */
export interface MapLayout {
  /** Unitless map coordinates (PCA: embedding units along each component; UMAP: its own scale). */
  coords: number[]
  /** Wall time of this layout alone, seconds (embeddings excluded). */
  seconds: number
}

/**
 * A 2-D map of a dataset's backbone embeddings: the exact PCA and, once computed, a UMAP layout. Cached per set
 * of items (a frozen version's or the current curation's included items, by content) and backbone.
 */
export interface EmbeddingMap {
  datasetId: number
  /** The frozen version mapped, or null for the current curation's included items. */
  versionId: number | null
  /** n catalog item ids, in layout row order. */
  itemIds: number[]
  pca: MapLayout & {
    /** Share of the embeddings' total variance along component 1 and 2, each in [0, 1]. */
    explained: [number, number]
  }
  /** null while UMAP has not run (PCA only, or still computing). */
  umap: MapLayout | null
  /** Colouring, as the items stand in the catalog now (current curation): class names, sorted. */
  classes: string[]
  /** n indices into `classes`. */
  labels: number[]
  /** n splits (null = unassigned). */
  splits: (Split | null)[]
  /** n DICOM PatientID (0010,0020) values, or null where none is known. */
  patients: (string | null)[]
  /** Embedding width, e.g. 1280 for MobileNetV2. */
  dim: number
  /** The backbone and the runtime that computed the embeddings, e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)'. */
  backbone: string
  engine: string
  /** Wall time of the whole computation (backbone loading, embeddings, PCA, UMAP), seconds. */
  seconds: number
  /** ISO 8601 time the layouts were computed. */
  computedAt: string
}

/** Progress of an embedding map; 'pca' carries the map with its PCA layout (umap null) as soon as it exists. */
export type EmbeddingMapEvent =
  | { datasetId: number; type: 'progress'; text: string; progress: number | null }
  | { datasetId: number; type: 'pca'; map: EmbeddingMap }

export const EmbeddingMapRequest = z
  .object({
    datasetId: Id,
    /** A frozen version of the dataset; absent = the current curation's included items. */
    versionId: Id.optional(),
    /** Backbone, input size, pixel scaling and seed (the rest of a training configuration is not used). */
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
    /** Skip UMAP (PCA only). */
    pcaOnly: z.boolean().default(false)
  })
  .strict()
export type EmbeddingMapRequest = z.input<typeof EmbeddingMapRequest>

/** Whose predictions colour a map: a run's stored evaluation, or a cross-validation study's out-of-fold predictions. */
export const MapPredictionsRequest = z
  .object({
    datasetId: Id,
    /** A completed run of the dataset: its evaluation's predictions (held-out test split, else val). */
    runId: Id.optional(),
    /** A completed cross-validation study of the dataset: every item's out-of-fold prediction. */
    studyId: Id.optional()
  })
  .strict()
  .refine((r) => (r.runId === undefined) !== (r.studyId === undefined), {
    message: 'give exactly one of runId and studyId'
  })

/**
 * Predictions to colour a map by prediction or correctness. Only held-out predictions are offered (a run's
 * test split, or out-of-fold): no item is coloured by a model that trained on it. Items of the map that are
 * absent here were not predicted by this source and are drawn as 'not predicted'.
 */
export interface MapPredictions {
  datasetId: number
  source: { kind: 'run' | 'study'; id: number; name: string }
  /** What the predictions were measured on: a run's held-out 'test' split ('val' when it has none, optimistic), or 'out-of-fold'. */
  split: 'test' | 'val' | 'out-of-fold'
  /** Plain words for the legend, e.g. 'run 12 "baseline": its test split, held out from training (38 items)'. */
  description: string
  /** The model's classes; `predicted` and `labels` index them. */
  classNames: string[]
  itemIds: number[]
  /** Argmax class of each item's probabilities. */
  predicted: number[]
  /** The label each item had in the frozen dataset version the source was evaluated against. */
  labels: number[]
  /** The probability of the predicted class, in [0, 1]. */
  confidence: number[]
}

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

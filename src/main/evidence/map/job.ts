import { z } from 'zod'
import { TrainingConfigSchema } from '../../../shared/contract'
import { defineEngineJob, float32, type JobEvent, type JobParams, type JobResult } from '../../engine/job-kind'

/** One item to place on the map: its catalog id and what the loader needs to open it. */
export const MapJobItem = z.object({
  itemId: z.number().int(),
  path: z.string(),
  frame: z.number().int().min(0),
  plane: z.enum(['axial', 'coronal', 'sagittal']).nullable()
})

/** A finished layout as the engine returns it (coordinates are n × 2 float32, row i = itemIds[i]). */
const Layout = z.object({ coords: float32, seconds: z.number().nonnegative() })

/**
 * Engine job 'embedding-map': backbone embeddings of a dataset's items (through the embedding cache shared with
 * training), their exact 2-D PCA, then a UMAP layout (umap-js). The PCA is sent as an event as soon as it
 * exists, so a view can draw it while UMAP runs. The handler is runEmbeddingMap (run-embedding-map.ts); the
 * host side is services/evidence-service.ts, which also caches the result (map-cache.ts).
 */
export const embeddingMapJob = defineEngineJob({
  kind: 'embedding-map',
  params: z.object({
    kind: z.literal('embedding-map'),
    /** Backbone, input size, pixel scaling and seed are used (the rest of a training configuration is not). */
    config: TrainingConfigSchema,
    items: z.array(MapJobItem).min(3),
    /** Workspace cache folder (embeddings are read from and stored in its 'embeddings' folder). */
    cacheDir: z.string(),
    /** With an ONNX encoder backbone: the imported encoder file (models/backbones/<sha256>/…). */
    encoderPath: z.string().optional(),
    /** UMAP neighbourhood size (clamped to n − 1) and minimum distance; umap-js defaults are 15 and 0.1. */
    nNeighbors: z.number().int().min(2).max(200),
    minDist: z.number().min(0).max(1),
    /** Skips UMAP: the result then holds the PCA only. */
    pcaOnly: z.boolean()
  }),
  event: z.discriminatedUnion('type', [
    /** progress: fraction in [0, 1] of the phase, or null. */
    z.object({ type: z.literal('phase'), text: z.string(), progress: z.number().nullable() }),
    /** The PCA layout, as soon as it is computed (the UMAP follows in the result). */
    z.object({
      type: z.literal('pca'),
      coords: float32,
      explained: z.tuple([z.number(), z.number()]),
      seconds: z.number(),
      dim: z.number().int(),
      backbone: z.string(),
      engine: z.string(),
      /** Since the job started (backbone, embeddings, PCA). */
      elapsed: z.number()
    })
  ]),
  result: z.object({
    pca: Layout.extend({
      /** Share of the total variance along component 1 and 2, each in [0, 1]. */
      explained: z.tuple([z.number(), z.number()])
    }),
    umap: Layout.nullable(),
    /** Embedding width (e.g. 1280 for MobileNetV2). */
    dim: z.number().int(),
    /** The backbone, e.g. 'MobileNetV2 …', and the runtime that computed the embeddings. */
    backbone: z.string(),
    engine: z.string(),
    fromCache: z.number().int(),
    seconds: z.number().nonnegative()
  })
})

export type EmbeddingMapJob = JobParams<typeof embeddingMapJob>
export type EmbeddingMapJobEvent = JobEvent<typeof embeddingMapJob>
export type EmbeddingMapJobResult = JobResult<typeof embeddingMapJob>

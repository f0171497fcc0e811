import type { EmbeddingMap, EmbeddingMapRequest, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { getDataset } from '../../datasets'
import { runInEngine } from '../../engine/engine-host'
import type { AppContext } from '../../services/app-context'
import { encoderForRun } from '../../training/runs/encoder-library'
import { embeddingMapJob } from './job'
import { MapCache, mapCacheKey, type CachedMap } from './map-cache'
import { mapColours, mapItems } from './map-source'

/** A request after the contract's defaults are applied. */
type Req = Omit<EmbeddingMapRequest, 'config' | 'pcaOnly'> & { config: TrainingConfig; pcaOnly: boolean }

/** umap-js's defaults: 15 neighbours, minimum distance 0.1. */
const N_NEIGHBORS = 15
const MIN_DIST = 0.1

/**
 * The host side of embedding maps: resolves a request to its items, answers from the map cache, or runs the
 * 'embedding-map' engine job (one per dataset at a time, cancellable), forwarding its progress and PCA as
 * evidence.onMapEvent, and caches the result.
 */
export class EmbeddingMaps {
  private readonly running = new Map<number, AbortController>()
  private readonly cache: MapCache

  constructor(private readonly ctx: AppContext) {
    this.cache = new MapCache(ctx.workspace.cacheDir)
  }

  /**
   * The dataset, its items and the cache key; for an ONNX encoder also the imported file, with the
   * configuration's declaration filled in from it (so the key names what embeds).
   */
  private resolve(req: Req) {
    const db = this.ctx.workspace.db
    const dataset = getDataset(db, req.datasetId)
    const items = mapItems(db, req.datasetId, dataset.name, req.versionId)
    const encoder = encoderForRun(this.ctx.workspace.modelsDir, req.config)
    const config = encoder?.config ?? req.config
    return { dataset, items, config, encoderPath: encoder?.encoderPath, key: mapCacheKey(items, config, req.pcaOnly) }
  }

  private withColours(req: Req, cached: CachedMap): EmbeddingMap {
    return {
      datasetId: req.datasetId,
      versionId: req.versionId ?? null,
      ...cached,
      ...mapColours(this.ctx.workspace.db, cached.itemIds)
    }
  }

  get(req: Req): EmbeddingMap | null {
    const { key } = this.resolve(req)
    const cached = this.cache.get(key)
    return cached ? this.withColours(req, cached) : null
  }

  async compute(req: Req): Promise<EmbeddingMap> {
    const { dataset, items, key, config, encoderPath } = this.resolve(req)
    const hit = this.cache.get(key)
    if (hit) return this.withColours(req, hit)
    if (this.running.has(req.datasetId))
      throw new AppError('CONFLICT', `a map of dataset "${dataset.name}" is already being computed`)
    const abort = new AbortController()
    this.running.set(req.datasetId, abort)
    const itemIds = items.map((i) => i.itemId)
    const emit = this.ctx.hub.emit.bind(this.ctx.hub)
    const progress = (text: string, p: number | null) =>
      emit('evidence', 'onMapEvent', { datasetId: req.datasetId, type: 'progress', text, progress: p })
    const computedAt = new Date().toISOString()
    try {
      const res = await runInEngine({
        ...this.ctx.engine,
        job: embeddingMapJob,
        signal: abort.signal,
        params: {
          kind: 'embedding-map',
          config,
          ...(encoderPath ? { encoderPath } : {}),
          items: items.map(({ itemId, path, frame, plane }) => ({ itemId, path, frame, plane })),
          cacheDir: this.ctx.workspace.cacheDir,
          nNeighbors: N_NEIGHBORS,
          minDist: MIN_DIST,
          pcaOnly: req.pcaOnly
        },
        onEvent: (e) => {
          if (e.type === 'phase') return progress(e.text, e.progress)
          const map = this.withColours(req, {
            itemIds,
            pca: { coords: Array.from(e.coords), explained: e.explained, seconds: e.seconds },
            umap: null,
            dim: e.dim,
            backbone: e.backbone,
            engine: e.engine,
            seconds: e.elapsed,
            computedAt
          })
          emit('evidence', 'onMapEvent', { datasetId: req.datasetId, type: 'pca', map })
        }
      })
      const cached: CachedMap = {
        itemIds,
        pca: { ...res.pca, coords: Array.from(res.pca.coords) },
        umap: res.umap ? { coords: Array.from(res.umap.coords), seconds: res.umap.seconds } : null,
        dim: res.dim,
        backbone: res.backbone,
        engine: res.engine,
        seconds: res.seconds,
        computedAt
      }
      this.cache.put(key, cached)
      return this.withColours(req, cached)
    } finally {
      this.running.delete(req.datasetId)
    }
  }

  cancel(datasetId: number): { cancelled: boolean } {
    const a = this.running.get(datasetId)
    a?.abort()
    return { cancelled: !!a }
  }
}

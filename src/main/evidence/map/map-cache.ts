import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { EmbeddingMap, TrainingConfig } from '../../../shared/contract'
import { atomicWrite } from '../../fs/atomic-write'
import type { MapSourceItem } from './map-source'

/** The cached part of a map: layouts and where they came from (colours are read fresh from the catalog). */
export type CachedMap = Omit<EmbeddingMap, 'datasetId' | 'versionId' | 'classes' | 'labels' | 'splits' | 'patients'>

/** Bumped when the layout computation changes, so older cached maps are not reused. */
const FORMAT = 'embedding-map-1'

/**
 * Cache key of a map: the items' content (id, SHA-256, frame, plane, in order) and everything in the
 * configuration that changes the embeddings or the layouts (backbone, input size, scaling, seed). The same
 * items map the same whether they come from a frozen version or the current curation.
 */
export function mapCacheKey(items: readonly MapSourceItem[], config: TrainingConfig, pcaOnly: boolean): string {
  const h = createHash('sha256')
  h.update(
    JSON.stringify({
      FORMAT,
      backbone: config.backbone,
      inputSize: config.inputSize,
      scaling: config.scaling,
      seed: config.seed,
      pcaOnly
    })
  )
  for (const i of items) h.update(`\n${i.itemId}\t${i.sha256}\t${i.frame}\t${i.plane ?? ''}`)
  return h.digest('hex').slice(0, 32)
}

/** Maps stored under `<cacheDir>/maps/<key>.json`. */
export class MapCache {
  constructor(private readonly cacheDir: string) {}

  private file(key: string): string {
    return path.join(this.cacheDir, 'maps', `${key}.json`)
  }

  /** The cached map, or null when there is none or the file is unreadable (it is then recomputed). */
  get(key: string): CachedMap | null {
    try {
      return JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as CachedMap
    } catch {
      return null
    }
  }

  put(key: string, map: CachedMap): void {
    fs.mkdirSync(path.dirname(this.file(key)), { recursive: true })
    atomicWrite(this.file(key), JSON.stringify(map))
  }
}

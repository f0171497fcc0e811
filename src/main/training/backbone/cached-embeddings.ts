import { embeddingKey, fileSha256, type EmbeddingCache } from './embedding-cache'
import type { EmbedItem, ExtractorInfo } from './extractor-types'

/** What readCachedEmbeddings found: the cache key of every item, and the items still to compute. */
export interface CacheLookup {
  /** keys[i] is items[i]'s cache key. */
  keys: string[]
  /** Indices into items whose embeddings were not in the cache, in order. */
  todo: number[]
  fromCache: number
}

/**
 * Looks `items` up in the cache (keyed by file content SHA-256, frame, plane, backbone, preprocessing and
 * augmentation variant; each file hashed once) and writes every hit into row i of `data` (items × featureDim).
 */
export async function readCachedEmbeddings(
  cache: EmbeddingCache,
  items: readonly EmbedItem[],
  info: ExtractorInfo,
  variant: number,
  data: Float32Array
): Promise<CacheLookup> {
  const dim = info.featureDim
  const hashes = new Map<string, Promise<string>>()
  const hashOf = (p: string): Promise<string> => {
    if (!hashes.has(p)) hashes.set(p, fileSha256(p))
    return hashes.get(p) as Promise<string>
  }
  const keys = await Promise.all(
    items.map(async (it) =>
      embeddingKey({
        contentSha256: await hashOf(it.path),
        frame: it.frame ?? 0,
        plane: it.plane ?? undefined,
        backboneId: info.backboneId,
        preprocess: info.preprocess,
        variant
      })
    )
  )
  const hits = await cache.getMany(keys, dim)
  const todo: number[] = []
  hits.forEach((v, i) => {
    if (v) data.set(v, i * dim)
    else todo.push(i)
  })
  return { keys, todo, fromCache: items.length - todo.length }
}

import path from 'node:path'
import { EmbeddingCache } from '../training/backbone/embedding-cache'
import { EmbeddingExtractor } from '../training/backbone/embedding-extractor'
import type { EmbedItem, ExtractResult } from '../training/backbone/embedding-extractor'
import type { LoadedBackbone } from '../training/backbone/types'
import type { PreprocessSpec } from '../training/preprocess/spec'

/**
 * An extractor with a configuration's backbone and preprocessing over the workspace's embedding cache
 * (`<cacheDir>/embeddings`), the one training uses: what one job embeds, the others read back.
 */
export function cachedExtractor(backbone: LoadedBackbone, spec: PreprocessSpec, cacheDir: string): EmbeddingExtractor {
  return new EmbeddingExtractor({
    backbone,
    preprocess: spec,
    cache: new EmbeddingCache(path.join(cacheDir, 'embeddings'))
  })
}

/**
 * Embeds `items` (only their path, frame and plane are read), reporting each batch as a 'phase' event ("Computing
 * backbone embeddings (k from cache)", progress = fraction done): the embedding step the evidence jobs (lr-find,
 * embedding-map) share.
 */
export function extractWithProgress(
  extractor: EmbeddingExtractor,
  items: readonly EmbedItem[],
  emit: (e: { type: 'phase'; text: string; progress: number | null }) => void,
  signal: AbortSignal
): Promise<ExtractResult> {
  return extractor.extract(
    items.map(({ path: p, frame, plane }) => ({ path: p, frame, plane })),
    {
      signal,
      onProgress: (p) =>
        emit({
          type: 'phase',
          text: `Computing backbone embeddings (${p.fromCache} from cache)`,
          progress: p.done / p.total
        })
    }
  )
}

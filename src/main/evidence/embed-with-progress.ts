import type { EmbedItem, EmbeddingExtractor, ExtractResult } from '../training/backbone/embedding-extractor'

/**
 * Embeds `items`, reporting each batch as a 'phase' event ("Computing backbone embeddings (k from cache)",
 * progress = fraction done): the embedding step the evidence jobs (lr-find, embedding-map) share.
 */
export function extractWithProgress(
  extractor: EmbeddingExtractor,
  items: readonly EmbedItem[],
  emit: (e: { type: 'phase'; text: string; progress: number | null }) => void,
  signal: AbortSignal
): Promise<ExtractResult> {
  return extractor.extract(items, {
    signal,
    onProgress: (p) =>
      emit({
        type: 'phase',
        text: `Computing backbone embeddings (${p.fromCache} from cache)`,
        progress: p.done / p.total
      })
  })
}

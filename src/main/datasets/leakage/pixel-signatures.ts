import fs from 'node:fs/promises'
import type { ImageKind } from '../../imaging'
import { decodePng8 } from '../import/png-decode'
import { renderImage } from '../import/render-image'
import { ensureThumbnail } from '../import/thumbnail-cache'
import { pixelSignature, type PixelSignature } from './pixel-distance'

/** What a signature is made from: an item's content (its thumbnail is keyed by sha256). */
export interface SignatureSource {
  path: string
  kind: ImageKind
  sha256: string
}

/** Thumbnails decoded at the same time. */
const PARALLEL = 8

/**
 * Pixel signatures of items, from their cached thumbnails (regenerated from the file when missing), keyed by
 * sha256 so copies are decoded once. An item whose thumbnail cannot be made has no signature (null): its pairs
 * are then judged by dHash alone, and `missing` counts them.
 */
export async function loadSignatures(
  cacheDir: string,
  items: SignatureSource[]
): Promise<{ bySha: Map<string, PixelSignature | null>; missing: number }> {
  const bySha = new Map<string, PixelSignature | null>()
  const todo = items.filter((it) => !bySha.has(it.sha256) && (bySha.set(it.sha256, null), true))
  let next = 0
  let missing = 0
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const it = todo[next++]
      try {
        const file = await ensureThumbnail(cacheDir, it)
        const bytes = await fs.readFile(file)
        // Our own thumbnails decode without sharp's per-call overhead; anything else goes through sharp.
        const img = (await decodePng8(bytes)) ?? (await renderImage(file, 'png', bytes))
        bySha.set(it.sha256, pixelSignature(img))
      } catch {
        missing++
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker))
  return { bySha, missing }
}

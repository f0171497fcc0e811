import fs from 'node:fs/promises'
import path from 'node:path'
import type { ItemKind } from '../../../shared/contract/datasets'
import { encodePng8 } from './png-encode'
import { renderImage, type FrameRef } from './render-image'
import { fitInside, resampleArea, type Raster8 } from './resample'

/** Longest side of a thumbnail, pixels. */
export const THUMB_SIZE = 128

/**
 * Where the thumbnail of some content lives: `<cache>/thumbs/<sha[0..2]>/<sha256>.png`. Keyed by content, so a
 * file imported into several datasets (or re-imported after a cancel) has one thumbnail.
 */
export function thumbnailPath(cacheDir: string, sha256: string): string {
  return path.join(cacheDir, 'thumbs', sha256.slice(0, 2), `${sha256}.png`)
}

/** Shrinks a rendering to thumbnail size (area average; never enlarges). */
export function toThumbnail(img: Raster8): Raster8 {
  const { width, height } = fitInside(img.width, img.height, THUMB_SIZE)
  return width === img.width && height === img.height ? img : resampleArea(img, width, height)
}

/** Shard folders known to exist (at most 256 per cache), so a 10,000-file import does not mkdir 10,000 times. */
const madeDirs = new Set<string>()

/** Writes a thumbnail PNG unless one exists; written to a temporary name then renamed so readers never see half a file. */
export async function writeThumbnail(cacheDir: string, sha256: string, thumb: Raster8): Promise<string> {
  const file = thumbnailPath(cacheDir, sha256)
  if (await exists(file)) return file
  const dir = path.dirname(file)
  if (!madeDirs.has(dir)) {
    await fs.mkdir(dir, { recursive: true })
    madeDirs.add(dir)
  }
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  const png = await encodePng8(thumb)
  try {
    await fs.writeFile(tmp, png)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    // The cache was cleared while the app ran: make the folder again.
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(tmp, png)
  }
  await fs.rename(tmp, file)
  return file
}

/** The thumbnail of a catalog item, generated from its file when missing (e.g. the cache was cleared). */
export async function ensureThumbnail(
  cacheDir: string,
  item: { path: string; kind: ItemKind; sha256: string } & FrameRef
): Promise<string> {
  const file = thumbnailPath(cacheDir, item.sha256)
  if (await exists(file)) return file
  const bytes = item.kind === 'dicom' || item.kind === 'nifti' ? undefined : await fs.readFile(item.path)
  return writeThumbnail(cacheDir, item.sha256, toThumbnail(await renderImage(item.path, item.kind, bytes, item)))
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false
  )
}

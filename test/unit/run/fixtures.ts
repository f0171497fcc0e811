import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { JobItem } from '../../../src/main/training/job/job'

/**
 * Writes a tiny separable image dataset: class 0 = bright disc on the left, class 1 = bright disc on the
 * right, with per-image noise. Returns job items split train/val/test.
 */
export async function writeSeparableDataset(dir: string, perClass = 12, size = 48): Promise<JobItem[]> {
  const items: JobItem[] = []
  let id = 1
  for (let label = 0; label < 2; label++) {
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(size * size)
      let s = (label + 1) * 7919 + i * 104729
      const cx = label === 0 ? size * 0.3 : size * 0.7
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
          const inside = Math.hypot(x - cx, y - size / 2) < size * 0.18
          px[y * size + x] = Math.min(255, (inside ? 200 : 30) + (s % 40))
        }
      }
      const file = path.join(dir, `c${label}`, `img${i}.png`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      await sharp(px, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(file)
      const split = i % 6 === 4 ? 'val' : i % 6 === 5 ? 'test' : 'train'
      items.push({ itemId: id++, path: file, frame: 0, sha256: `${label}-${i}`, label, split })
    }
  }
  return items
}

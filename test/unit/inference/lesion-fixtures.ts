import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type { JobItem } from '../../../src/main/training/job/job'

/**
 * MRI-like axial slices whose class is set by where a bright lesion lies, with the lesion's box known, for
 * the Grad-CAM pointing game. Deterministic (seeded), written as 8-bit PNGs by the test itself.
 */

/** The lesion's bounding box in pixels, [x0, x1) × [y0, y1). */
export interface LesionBox {
  x0: number
  x1: number
  y0: number
  y1: number
}

export interface LesionImage {
  pixels: Uint8Array
  box: LesionBox
}

function rng(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 4294967296
  }
}

/**
 * A size×size slice: a head-shaped ellipse (bright skull rim, grey-matter texture of random sinusoidal
 * folds, two dark ventricles and a bright falx on the midline, which every image shares) and one bright
 * lesion (a blurred square about 11 % of the width) in the left (class 0) or right (class 1) hemisphere,
 * at a random height. The lesion lies laterally, at most 28 % of the width from its edge, so a peak on the
 * midline or in the other hemisphere is more than one 7×7 cell away from its box.
 */
export function lesionSlice(size: number, label: 0 | 1, seed: number): LesionImage {
  const r = rng(seed * 31 + label * 7 + 1)
  const s = size
  const half = 0.055 * s
  const cxL = (0.17 + 0.05 * r()) * s
  const cx = label === 0 ? cxL : s - cxL
  const cy = (0.3 + 0.4 * r()) * s
  const box = {
    x0: Math.floor(cx - half),
    x1: Math.ceil(cx + half),
    y0: Math.floor(cy - half),
    y1: Math.ceil(cy + half)
  }
  const folds = Array.from({ length: 4 }, () => ({
    fx: (0.15 + 0.25 * r()) * (r() < 0.5 ? -1 : 1),
    fy: 0.15 + 0.25 * r(),
    ph: r() * 6.28
  }))
  const ax = 0.4 * s * (0.95 + 0.05 * r())
  const ay = 0.46 * s
  const px = new Uint8Array(s * s)
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const u = (x - s / 2) / ax
      const v = (y - s / 2) / ay
      const e = Math.hypot(u, v)
      let g = 8 + 10 * r()
      if (e < 1) {
        if (e > 0.92) g = 170 + 30 * r()
        else {
          // Gyri: folds scaled to the image (about 12 px at 224), a darker rim of CSF, noise.
          let t = 0
          for (const f of folds) t += Math.sin((f.fx * x + f.fy * y) * (224 / s) + f.ph)
          g = 95 + 14 * t + 12 * r() - (e > 0.85 ? 40 : 0)
          // Ventricles: two dark crescents either side of the midline; falx: a bright midline line.
          const vx = Math.abs(x - s / 2) / s
          const vy = (y - s * 0.45) / s
          if (Math.hypot((vx - 0.06) / 0.035, vy / 0.11) < 1) g = 30 + 8 * r()
          if (vx < 0.006 && Math.abs(v) < 0.8) g = 165 + 20 * r()
        }
      }
      // The lesion: a bright square with soft edges.
      const d = Math.max(Math.abs(x + 0.5 - cx), Math.abs(y + 0.5 - cy))
      if (d < half) g = Math.max(g, 225 + 20 * r() - (d > half - 2 ? 30 : 0))
      px[y * s + x] = Math.max(0, Math.min(255, Math.round(g)))
    }
  }
  return { pixels: px, box }
}

/** Writes `perClass` slices per class as PNGs under dir/c<label>/; items alternate train/val by `valEvery`. */
export async function writeLesionDataset(
  dir: string,
  perClass: number,
  size: number,
  seed0: number,
  valEvery = 5
): Promise<{ items: JobItem[]; boxes: Map<string, LesionBox> }> {
  const items: JobItem[] = []
  const boxes = new Map<string, LesionBox>()
  let id = 1
  for (const label of [0, 1] as const) {
    for (let i = 0; i < perClass; i++) {
      const { pixels, box } = lesionSlice(size, label, seed0 + i)
      const file = path.join(dir, `c${label}`, `slice${i}.png`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      await sharp(Buffer.from(pixels), { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(file)
      boxes.set(file, box)
      const split = i % valEvery === valEvery - 1 ? 'val' : 'train'
      items.push({ itemId: id++, path: file, frame: 0, sha256: `lesion-${seed0}-${label}-${i}`, label, split })
    }
  }
  return { items, boxes }
}

/**
 * The pointing game on an h×w saliency grid over a size×size image: true when the grid's maximum lies in a
 * cell that overlaps the box or touches a cell that does (within one feature cell of the box).
 */
export function pointsAtBox(grid: ArrayLike<number>, w: number, h: number, size: number, box: LesionBox): boolean {
  let best = 0
  for (let k = 1; k < grid.length; k++) if (grid[k] > grid[best]) best = k
  const col = best % w
  const row = Math.floor(best / w)
  const c0 = Math.floor((box.x0 * w) / size)
  const c1 = Math.floor(((box.x1 - 1) * w) / size)
  const r0 = Math.floor((box.y0 * h) / size)
  const r1 = Math.floor(((box.y1 - 1) * h) / size)
  return col >= c0 - 1 && col <= c1 + 1 && row >= r0 - 1 && row <= r1 + 1
}

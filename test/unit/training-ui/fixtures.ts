import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'

/** Class folders of the tiny training dataset; one long name checks label abbreviation. */
export const CLASSES = ['glioma', 'meningioma', 'pituitary_adenoma_macro']

/** Pixel value of class `label`'s pattern at (x, y) on a size × size image: a disc, stripes, a checkerboard. */
function pattern(label: number, x: number, y: number, size: number): number {
  if (label === 0) return Math.hypot(x - size / 2, y - size / 2) < size * 0.3 ? 200 : 30
  if (label === 1) return Math.floor(y / 3) % 2 ? 200 : 30
  return (Math.floor(x / 8) + Math.floor(y / 8)) % 2 ? 200 : 30
}

/**
 * Writes a tiny 3-class PNG dataset (48 × 48 grey): a bright disc, horizontal stripes or a checkerboard with
 * noise (textures that even a random-weight backbone's pooled features tell apart), plus `noisy` pure-noise
 * images per class that no model can get right, so an evaluation always has misclassified images to show.
 */
export async function writeTrainingDataset(dir: string, perClass = 12, noisy = 3, size = 48): Promise<void> {
  for (const [label, name] of CLASSES.entries()) {
    for (let i = 0; i < perClass + noisy; i++) {
      const px = Buffer.alloc(size * size)
      let s = (label + 1) * 7919 + i * 104729
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
          px[y * size + x] = i < perClass ? Math.min(255, pattern(label, x, y, size) + (s % 40)) : s % 256
        }
      }
      const file = path.join(dir, name, `img${String(i).padStart(2, '0')}.png`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      await sharp(px, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(file)
    }
  }
}

const CLI = path.resolve(__dirname, '../../../bin/neuropath.mjs')

/** Runs the built CLI (`npm run build` first) and returns its result object (the last JSON line). */
export function cli(args: string[], workspace: string): unknown {
  const out = execFileSync(process.execPath, [CLI, ...args, '--json', '--workspace', workspace], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').at(-1)!)
}

/** Imports `dir` as dataset `name` and splits it 50/25/25 without grouping, through the CLI. */
export function importAndSplit(dir: string, name: string, workspace: string): void {
  cli(['import', dir, '--dataset', name], workspace)
  cli(['split', '--dataset', name, '--val', '0.25', '--test', '0.25', '--group-by', 'none', '--seed', '3'], workspace)
}

/** The quick configuration for tests: random 32 px backbone, tiny head, stage 1 on embeddings, no augmentation. */
export const QUICK = {
  backbone: { kind: 'random' as const },
  inputSize: 32,
  head: { fc1Units: 32, fc2Units: 16 },
  batchSize: 8,
  stage1: { epochs: 5, mode: 'embeddings' as const },
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'

/**
 * Three classes (c0, c1, c2) of pure noise: labels that do not follow the images. A head can memorise the
 * training images but nothing carries over, so a run on it must be flagged "did not learn".
 */
export async function writeNoiseDataset(dir: string, perClass: number, size = 32): Promise<void> {
  let s = 12345
  for (let label = 0; label < 3; label++) {
    for (let i = 0; i < perClass; i++) {
      const px = Buffer.alloc(size * size)
      for (let p = 0; p < px.length; p++) {
        s = (Math.imul(s, 48271) >>> 0) % 0x7fffffff
        px[p] = s & 255
      }
      const file = path.join(dir, `c${label}`, `noise${i}.png`)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      await sharp(px, { raw: { width: size, height: size, channels: 1 } })
        .png()
        .toFile(file)
    }
  }
}

/** The run config for the noise dataset: random 32 px backbone, a head big enough to memorise, stage 1 only. */
export const NOISE_CONFIG = {
  backbone: { kind: 'random' },
  inputSize: 32,
  head: { fc1Units: 64, fc2Units: 32 },
  batchSize: 8,
  stage1: { epochs: 12, mode: 'embeddings' },
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { TrainingConfigSchema } from '../../shared/contract'
import type { JobItem } from '../training/run/job'
import { runTraining } from '../training/run/run-training'

/**
 * Stage 1 end to end, as a user runs it on wasm/cpu: N generated 256×256 PNGs (two classes) → nsfwjs
 * embeddings at 224 → 20 head epochs, no augmentation, stage 2 off. `NEUROPATH_BENCH_TRAIN_IMAGES` sets N
 * (default 1,000; 5,000 for the memory figure). Peak RSS is sampled every 100 ms.
 */
export async function benchTraining(): Promise<Record<string, number | string>> {
  const n = Number(process.env.NEUROPATH_BENCH_TRAIN_IMAGES ?? 1000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-train-'))
  try {
    const items: JobItem[] = []
    const t0 = performance.now()
    for (let start = 0; start < n; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, n - start) }, async (_, j) => {
          const i = start + j
          const label = i % 2
          const file = path.join(dir, `c${label}`, `img${i}.png`)
          fs.mkdirSync(path.dirname(file), { recursive: true })
          const cx = label ? 170 : 86
          const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="rgb(${20 + (i % 30)},${20 + (i % 30)},${20 + (i % 30)})"/><circle cx="${cx}" cy="${100 + (i % 60)}" r="${30 + (i % 15)}" fill="#ddd"/></svg>`
          await sharp(Buffer.from(svg)).greyscale().png().toFile(file)
          const r = i % 20
          items.push({
            itemId: i + 1,
            path: file,
            frame: 0,
            sha256: String(i),
            label,
            split: r < 14 ? 'train' : r < 17 ? 'val' : 'test'
          })
        })
      )
    }
    const generateSeconds = (performance.now() - t0) / 1000
    const config = TrainingConfigSchema.parse({
      stage1: { epochs: 20, mode: 'embeddings' },
      stage2: { enabled: false },
      augmentation: { enabled: false },
      earlyStopping: { enabled: false }
    })
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
    let embedSeconds = 0
    const t1 = performance.now()
    let firstEpochAt = 0
    const res = await runTraining(
      {
        kind: 'train',
        runId: 0,
        config,
        classNames: ['left', 'right'],
        items,
        modelDir: path.join(dir, 'model'),
        cacheDir: path.join(dir, 'cache'),
        resume: false,
        dataset: { id: 0, name: 'bench', versionId: 0, fingerprint: null }
      },
      (e) => {
        if (e.type === 'epoch' && !firstEpochAt) {
          firstEpochAt = performance.now()
          embedSeconds = (firstEpochAt - t1) / 1000
        }
      },
      new AbortController().signal
    )
    clearInterval(sampler)
    const total = (performance.now() - t1) / 1000
    return {
      images: n,
      generateSeconds: round(generateSeconds),
      stage1EndToEndSeconds: round(total),
      embeddingsSeconds: round(embedSeconds),
      headEpochsSeconds: round(total - embedSeconds),
      testAccuracy: round(res.evaluation?.accuracy ?? 0),
      peakRssMB: Math.round(peak / 2 ** 20),
      loadAverage1m: round(os.loadavg()[0])
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const round = (x: number) => Math.round(x * 100) / 100

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { TrainingConfigSchema } from '../../shared/contract'
import type { JobItem, TrainingJob } from '../training/job/job'
import { resetBackendForTests } from '../compute/backend'
import { setOrtLoader } from '../onnx/ort-runtime'
import { runTraining } from '../training/job/run-training'

/**
 * Stage 1 end to end, as a user runs it: N generated 256×256 PNGs (two classes) → nsfwjs embeddings at 224 →
 * 20 head epochs, no augmentation, stage 2 off; first with ONNX Runtime where it loads (the default engine),
 * then, in the same run, with ONNX Runtime turned off (the tfjs wasm/cpu ladder, figures prefixed `tfjs.`).
 * `NEUROPATH_BENCH_TRAIN_IMAGES` sets N (default 1,000; 5,000 for the memory figure);
 * `NEUROPATH_BENCH_TRAIN_BASELINE=0` skips the tfjs run. Peak RSS is sampled every 100 ms.
 */
export async function benchTraining(): Promise<Record<string, number | string>> {
  const n = Number(process.env.NEUROPATH_BENCH_TRAIN_IMAGES ?? 1000)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-train-'))
  try {
    const t0 = performance.now()
    const items = await writeBenchImages(dir, n)
    const generateSeconds = (performance.now() - t0) / 1000
    const out: Record<string, number | string> = { images: n, generateSeconds: round(generateSeconds) }
    Object.assign(out, await stage1(items, path.join(dir, 'ort')))
    if (process.env.NEUROPATH_BENCH_TRAIN_BASELINE !== '0') {
      // The backend ladder is chosen once per process: forget it, so the run below picks the tfjs rungs.
      setOrtLoader(() => {
        throw new Error('turned off for the tfjs baseline')
      })
      resetBackendForTests()
      try {
        for (const [k, v] of Object.entries(await stage1(items, path.join(dir, 'tfjs')))) out[`tfjs.${k}`] = v
      } finally {
        setOrtLoader()
        resetBackendForTests()
      }
    }
    return out
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** One stage-1 run on `items` with its own model and cache folders under `dir`. */
async function stage1(items: JobItem[], dir: string): Promise<Record<string, number | string>> {
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
  const engines: string[] = []
  const res = await runTraining(
    benchJob(items, dir, config),
    (e) => {
      if (e.type === 'epoch' && !firstEpochAt) {
        firstEpochAt = performance.now()
        embedSeconds = (firstEpochAt - t1) / 1000
      }
      if (e.type === 'log' && /^(embeddings|stage 1)/.test(e.line)) engines.push(e.line)
    },
    new AbortController().signal
  ).finally(() => clearInterval(sampler))
  const total = (performance.now() - t1) / 1000
  return {
    stage1EndToEndSeconds: round(total),
    embeddingsSeconds: round(embedSeconds),
    headEpochsSeconds: round(total - embedSeconds),
    testAccuracy: round(res.evaluation?.accuracy ?? 0),
    peakRssMB: Math.round(peak / 2 ** 20),
    engines: engines.join(' | '),
    loadAverage1m: round(os.loadavg()[0])
  }
}

/** The training job a bench runs: the generated items, model and cache folders under `dir`, no resume. */
export function benchJob(items: JobItem[], dir: string, config: TrainingJob['config']): TrainingJob {
  return {
    kind: 'train',
    runId: 0,
    config,
    classNames: ['left', 'right'],
    items,
    modelDir: path.join(dir, 'model'),
    cacheDir: path.join(dir, 'cache'),
    resume: false,
    dataset: { id: 0, name: 'bench', versionId: 0, fingerprint: null }
  }
}

/** Writes N generated 256×256 PNGs (two classes: a bright disc left or right) and returns them split 70/15/15. */
export async function writeBenchImages(dir: string, n: number): Promise<JobItem[]> {
  const items: JobItem[] = []
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
  return items
}

const round = (x: number) => Math.round(x * 100) / 100

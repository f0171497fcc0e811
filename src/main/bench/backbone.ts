import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { selectBackend } from '../compute/backend'
import { EmbeddingExtractor, type EmbedItem } from '../training/backbone/embedding-extractor'
import { loadBackbone } from '../training/backbone/load-backbone'
import { loadModelInput } from '../training/preprocess/load-model-input'
import { makePreprocessSpec } from '../training/preprocess/spec'

const SIZE = 224
const SOURCE = 512

/** A 512×512 8-bit grey PNG: a bright disc with a per-image texture, like a skull-stripped MR slice. */
async function writePhantom(file: string, seed: number): Promise<void> {
  const px = Buffer.alloc(SOURCE * SOURCE)
  for (let y = 0; y < SOURCE; y++) {
    for (let x = 0; x < SOURCE; x++) {
      const r = Math.hypot(x - 256, y - 256)
      px[y * SOURCE + x] = r < 200 ? 90 + ((x * (seed + 3) + y * 7) % 120) : (x ^ y ^ seed) & 15
    }
  }
  await sharp(px, { raw: { width: SOURCE, height: SOURCE, channels: 1 } })
    .png()
    .toFile(file)
}

/** Process CPU time so far (all threads, workers included), ms. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU ms per image of the last `rate` call: unlike wall time, barely affected by other load on the machine. */
let lastCpuMsPerImage = 0

/** Images per second of `run` over `n` images, after one warm-up call. */
async function rate(n: number, run: () => Promise<unknown>, warm: () => Promise<unknown>): Promise<number> {
  await warm()
  const c0 = cpuMs()
  const t0 = performance.now()
  await run()
  lastCpuMsPerImage = (cpuMs() - c0) / n
  return n / ((performance.now() - t0) / 1000)
}

const round1 = (x: number): number => Math.round(x * 10) / 10

/**
 * Backbone throughput at 224 px on the nsfwjs MobileNetV2 (model + global average pool, inputs already
 * preprocessed): the worker pool (one WASM engine per core), a single worker, the fused plan in this thread
 * and LayersModel.predict for comparison. Also end to end from 512² grey PNG files through the pool
 * (decode, resize, scale overlapping the model), and preprocessing alone.
 */
export async function benchBackbone(): Promise<Record<string, number | string>> {
  const backend = await selectBackend()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-backbone-'))
  const loadAvg = os.loadavg()[0]
  try {
    const N = 64
    const items: EmbedItem[] = []
    for (let i = 0; i < N; i++) {
      const file = path.join(dir, `slice${i}.png`)
      await writePhantom(file, i)
      items.push({ path: file })
    }
    const spec = { kind: 'nsfwjs' as const, inputSize: SIZE }
    const cores = os.cpus().length
    const { model, source } = await loadBackbone(spec)
    const pre = makePreprocessSpec(SIZE, source.inputScaling)
    const t0 = performance.now()
    const inputs = await Promise.all(items.map((it) => loadModelInput(it.path, pre)))
    const preprocessRate = N / ((performance.now() - t0) / 1000)
    const perImage = SIZE * SIZE * 3
    const all = new Float32Array(N * perImage)
    inputs.forEach((v, i) => all.set(v, i * perImage))
    const first = (n: number): Float32Array => all.subarray(0, n * perImage)

    const pool = new EmbeddingExtractor({ backbone: spec, workers: cores })
    const poolRate = await rate(
      N,
      () => pool.embedArrays(all, N),
      () => pool.embedArrays(first(8 * cores), 8 * cores)
    )
    const poolCpuMs = lastCpuMsPerImage
    const endToEndRate = await rate(
      N,
      () => pool.extract(items),
      async () => undefined
    )
    const endToEndCpuMs = lastCpuMsPerImage
    const engine = pool.info?.engine ?? ''
    await pool.close()

    const single = new EmbeddingExtractor({ backbone: spec, workers: 1 })
    const singleRate = await rate(
      32,
      () => single.embedArrays(first(32), 32),
      () => single.embedArrays(first(8), 8)
    )
    await single.close()

    const inThread = new EmbeddingExtractor({ backbone: spec, workers: 0 })
    const inThreadRate = await rate(
      16,
      () => inThread.embedArrays(first(16), 16),
      () => inThread.embedArrays(first(8), 8)
    )
    await inThread.close()

    const batch = tf.tensor4d(first(8), [8, SIZE, SIZE, 3])
    const predict = async (): Promise<void> => void tf.tidy(() => (model.predict(batch) as tf.Tensor).dataSync())
    const predictRate = await rate(
      16,
      async () => {
        await predict()
        await predict()
      },
      predict
    )
    batch.dispose()
    model.dispose()

    return {
      backboneImgPerSecPool: round1(poolRate),
      backbonePoolEngine: engine,
      backboneCpuMsPerImgPool: round1(poolCpuMs),
      // What the pool would reach with every core free for it: cores × 1000 / CPU ms per image.
      backboneImgPerSecPoolIfIdle: round1((cores * 1000) / poolCpuMs),
      backboneImgPerSecPoolFromPng: round1(endToEndRate),
      backboneCpuMsPerImgPoolFromPng: round1(endToEndCpuMs),
      backboneImgPerSecSingleWorker: round1(singleRate),
      backboneImgPerSecFusedInThread: round1(inThreadRate),
      backboneImgPerSecLayersPredict: round1(predictRate),
      backboneLayersPredictBackend: backend.tfBackend,
      preprocessImgPerSec512To224: round1(preprocessRate),
      loadAverage1mAtStart: round1(loadAvg)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

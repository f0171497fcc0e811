import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { openBackboneRuntime, type BackboneRuntime } from '../backbone-runtime/backbone-runtime'
import { selectBackend } from '../compute/backend'
import { compileInferencePlan } from '../training/backbone/inference-plan'
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

/** Images per second of one backbone runtime over `inputs` (n images) in batches of `batch`, after a warm-up. */
async function runtimeRate(rt: BackboneRuntime, inputs: Float32Array, n: number, batch: number): Promise<number> {
  const per = SIZE * SIZE * 3
  const pass = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i += batch) await rt.run(inputs.subarray(i * per), Math.min(batch, count - i))
  }
  return rate(
    n,
    () => pass(n),
    () => pass(batch)
  )
}

/**
 * Backbone throughput at 224 px on the nsfwjs MobileNetV2 (model + global average pool, inputs already
 * decoded and preprocessed): the backbone runtime on ONNX Runtime at batch 8, 16 and 32, next to the tfjs
 * fallback of the same runtime (fused plan on the tfjs backend this process selected, wasm here) and
 * LayersModel.predict, all measured in this run. Also end to end from 512² grey PNG files through the
 * EmbeddingExtractor (decode, resize, scale, model), and preprocessing alone.
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
    const { model, source } = await loadBackbone(spec)
    const plan = compileInferencePlan(model)
    const pre = makePreprocessSpec(SIZE, source.inputScaling)
    const t0 = performance.now()
    const inputs = await Promise.all(items.map((it) => loadModelInput(it.path, pre)))
    const preprocessRate = N / ((performance.now() - t0) / 1000)
    const perImage = SIZE * SIZE * 3
    const all = new Float32Array(N * perImage)
    inputs.forEach((v, i) => all.set(v, i * perImage))

    const figures: Record<string, number | string> = {}
    if (backend.active === 'ort') {
      const ort = await openBackboneRuntime(plan, { outputs: ['embedding'], backend })
      figures.backboneOrtEngine = ort.engine
      for (const b of [8, 16, 32]) {
        figures[`backboneImgPerSecOrtBatch${b}`] = round1(await runtimeRate(ort, all, N, b))
        figures[`backboneCpuMsPerImgOrtBatch${b}`] = round1(lastCpuMsPerImage)
      }
      await ort.close()
    } else figures.backboneOrtSkipped = backend.candidates.find((c) => c.name === 'ort')?.reason ?? 'not selected'

    // The tfjs fallback of the same runtime, on this process's tfjs backend (wasm here: one thread).
    const tfjs = await openBackboneRuntime(plan, {
      outputs: ['embedding'],
      backend: { ...backend, active: backend.tfActive }
    })
    figures.backboneTfjsEngine = tfjs.engine
    figures.backboneImgPerSecTfjsFusedBatch8 = round1(await runtimeRate(tfjs, all, 16, 8))
    await tfjs.close()

    const extractor = new EmbeddingExtractor({ backbone: spec })
    await extractor.start()
    figures.backboneImgPerSecFromPng = round1(
      await rate(
        N,
        () => extractor.extract(items),
        async () => undefined
      )
    )
    figures.backboneCpuMsPerImgFromPng = round1(lastCpuMsPerImage)
    figures.backboneFromPngEngine = extractor.info?.engine ?? ''
    await extractor.close()

    const batch = tf.tensor4d(all.subarray(0, 8 * perImage), [8, SIZE, SIZE, 3])
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
      ...figures,
      backboneImgPerSecLayersPredict: round1(predictRate),
      backboneLayersPredictBackend: backend.tfBackend,
      preprocessImgPerSec512To224: round1(preprocessRate),
      loadAverage1mAtStart: round1(loadAvg)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

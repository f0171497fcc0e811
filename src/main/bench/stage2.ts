import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { TrainingConfigSchema } from '../../shared/contract'
import { ortThreads } from '../onnx/ort-runtime'
import { loadRandomBackbone } from '../training/backbone/random-source'
import { createOrtStage2Target } from '../training/finetune/ort-stage2-target'
import { applyTopLayers, topLayers } from '../training/finetune/top-layers'
import { headLayers } from '../training/head/build-head'
import { composeModel, type ComposedModel } from '../training/head/compose-model'
import { setTrainableTop } from '../training/head/freeze'
import type { BatchSource } from '../training/loop/batch-source'
import { createEmbeddingSource } from '../training/loop/embedding-source'
import { createLoaderSource } from '../training/loop/loader-source'
import { categoricalCrossEntropy } from '../training/loop/loss'
import { mulberry32 } from '../training/loop/random'
import { trainStage } from '../training/loop/train-stage'
import { runTraining } from '../training/job/run-training'
import { benchJob, writeBenchImages } from './training'

const K = 4
const BATCH = 32
const round = (x: number) => Math.round(x * 10) / 10

function cpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

function seedModel(): ComposedModel {
  // Random MobileNetV2 weights: the work per image is the pretrained network's, and nothing is downloaded.
  const backbone = loadRandomBackbone(224, 1).model
  return composeModel(backbone, { numClasses: K, seed: 1 })
}

/** Samples/s of epochs after the first (warm-up), and the median single batch. */
async function ortThroughput(composed: ComposedModel, input: 'features' | 'image', source: BatchSource) {
  const { target } = await createOrtStage2Target(composed, { unfreezeTopLayers: 30, input })
  const perBatch: number[] = []
  let cpuAtEpoch1 = 0
  const result = await trainStage(target, {
    name: `bench-${input}`,
    train: source,
    epochs: 3,
    learningRate: 1e-4,
    seed: 1,
    recalibrateBatchNorm: false,
    onBatch: (e) => {
      if (e.epoch > 0) perBatch.push(e.samplesPerSecond)
    },
    onEpoch: (logs) => {
      if (logs.epoch === 0) cpuAtEpoch1 = cpuSeconds()
    }
  })
  const steadyCpu = cpuSeconds() - cpuAtEpoch1
  perBatch.sort((a, b) => a - b)
  const steady = result.history.slice(1)
  return {
    samplesPerSecond: round(steady.reduce((a, e) => a + e.samplesPerSecond, 0) / steady.length),
    medianBatchSamplesPerSecond: round(perBatch[perBatch.length >> 1]),
    // Samples per CPU-second of this process (all ORT threads together): what the wall figure approaches
    // per core when other work shares the machine; ×cores bounds the idle-machine figure from above.
    samplesPerCpuSecond: round((2 * source.size) / steadyCpu)
  }
}

/** The same top 30 + head step in tfjs (forward and tf.variableGrads) on the cpu backend, the one with conv gradients. */
async function tfjsThroughput(composed: ComposedModel, batch: number): Promise<{ wall: number; perCpuSecond: number }> {
  const previous = tf.getBackend()
  await tf.setBackend('cpu')
  try {
    setTrainableTop(composed.backbone, 30, { trainBatchNorm: true })
    const top = topLayers(composed.backbone, 30)
    const vars = [...composed.backbone.trainableWeights, ...composed.head.trainableWeights].map(
      (v) => v.read() as tf.Variable
    )
    const [h, w, c] = top.boundaryShape
    const rng = mulberry32(3)
    const x = tf.tensor4d(
      Float32Array.from({ length: batch * h * w * c }, () => rng()),
      [batch, h, w, c]
    )
    const y = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % K),
        'int32'
      ),
      K
    ) as tf.Tensor2D
    const step = () =>
      tf.tidy(() => {
        const { grads, value } = tf.variableGrads(() => {
          const t = applyTopLayers(top, x)
          let z: tf.Tensor = tf.mean(t, [1, 2])
          for (const l of headLayers(composed.head)) z = l.apply(z, { training: true }) as tf.Tensor
          return categoricalCrossEntropy(z as tf.Tensor2D, y)
        }, vars)
        value.dataSync()
        Object.values(grads).forEach((g) => g.dataSync())
      })
    step()
    const t0 = performance.now()
    const c0 = cpuSeconds()
    step()
    const seconds = (performance.now() - t0) / 1000
    const cpu = cpuSeconds() - c0
    tf.dispose([x, y])
    return { wall: Math.round((batch / seconds) * 100) / 100, perCpuSecond: Math.round((batch / cpu) * 100) / 100 }
  } finally {
    await tf.setBackend(previous)
  }
}

/**
 * Stage 2 training throughput, the seed's shape: MobileNetV2's top 30 layers (block_13_project_BN … out_relu
 * at 7×7) plus the seed head (1280 → 512 → 256 → 4), batch 32, Adam. `ort.top30.*`: forward + backward of
 * the trainable part from its [N, 7, 7, 160] input (320 samples per epoch, epochs 2–3 measured).
 * `ort.withFrozen.*`: from 224² images with the frozen lower part in the same graph, as a run trains
 * (96 images per epoch; data loading and augmentation excluded). `tfjsCpu.top30ImagesPerSecond`: the same
 * trainable part through tfjs on the cpu backend (wasm has no convolution gradients), batch 2, one step
 * after a warm-up, measured in the same run.
 */
export async function benchStage2(): Promise<Record<string, number | string>> {
  const composed = seedModel()
  const out: Record<string, number | string> = { batch: BATCH, ortThreads: ortThreads() }
  try {
    const [h, w, c] = [7, 7, 160]
    const rng = mulberry32(5)
    const n = 320
    const labels = Int32Array.from({ length: n }, (_, i) => i % K)
    const rows = Float32Array.from({ length: n * h * w * c }, () => rng() * 2)
    const features = createEmbeddingSource(rows, h * w * c, labels, K, { batchSize: BATCH })
    for (const [k, v] of Object.entries(await ortThroughput(composed, 'features', features))) out[`ort.top30.${k}`] = v
    const images = 96
    const per = 224 * 224 * 3
    const pixels = Float32Array.from({ length: images * per }, () => rng() * 2 - 1)
    const imageSource = createLoaderSource({
      labels: Int32Array.from({ length: images }, (_, i) => i % K),
      numClasses: K,
      batchSize: BATCH,
      load: async (idx) => {
        const x = new Float32Array(idx.length * per)
        idx.forEach((src, r) => x.set(pixels.subarray(src * per, (src + 1) * per), r * per))
        return tf.tensor4d(x, [idx.length, 224, 224, 3])
      }
    })
    for (const [k, v] of Object.entries(await ortThroughput(composed, 'image', imageSource)))
      out[`ort.withFrozen.${k}`] = v
    const tfjs = await tfjsThroughput(composed, 2)
    out['tfjsCpu.top30ImagesPerSecond'] = tfjs.wall
    out['tfjsCpu.top30ImagesPerCpuSecond'] = tfjs.perCpuSecond
    out.loadAverage1m = Math.round(os.loadavg()[0] * 100) / 100
  } finally {
    composed.model.dispose()
  }
  return out
}

/**
 * The seed recipe end to end through runTraining (an engine's code path): N generated 256² PNGs (default
 * 1,000; `NEUROPATH_BENCH_TRAIN_IMAGES`), nsfwjs MobileNetV2 at 224, stage 1 for 20 epochs on embeddings,
 * stage 2 for 30 epochs with the top 30 layers unfrozen, augmentation on (no flip: the classes are left/right),
 * early stopping off. Minutes long,
 * so it runs only when named: `npm run bench -- seed-recipe`. Peak RSS sampled every 100 ms.
 * `NEUROPATH_BENCH_RECIPE_EPOCHS=S1,S2` shortens the stages (the memory figure at 5,000 images: memory does
 * not grow with epochs, time does); the epochs run are in the result.
 */
export async function benchSeedRecipe(): Promise<Record<string, number | string>> {
  const n = Number(process.env.NEUROPATH_BENCH_TRAIN_IMAGES ?? 1000)
  const [epochs1, epochs2] = (process.env.NEUROPATH_BENCH_RECIPE_EPOCHS ?? '20,30').split(',').map(Number)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-recipe-'))
  try {
    const items = await writeBenchImages(dir, n)
    const config = TrainingConfigSchema.parse({
      stage1: { epochs: epochs1, mode: 'embeddings' },
      stage2: { enabled: true, epochs: epochs2, unfreezeTopLayers: 30 },
      // The generated classes are "disc on the left" and "disc on the right": a horizontal flip would swap
      // them, so the seed's flip is off here and the other augmentations stay on.
      augmentation: { enabled: true, horizontalFlip: false },
      earlyStopping: { enabled: false }
    })
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100)
    const t0 = performance.now()
    let stage2At = 0
    const stage2Speed: number[] = []
    const res = await runTraining(
      benchJob(items, dir, config),
      (e) => {
        if (e.type === 'mark' && e.mark.kind === 'stage' && e.mark.stage === 2) stage2At = performance.now()
        if (e.type === 'batch' && e.stage === 2 && e.epoch > 0) stage2Speed.push(e.imagesPerSecond)
      },
      new AbortController().signal
    )
    clearInterval(sampler)
    const end = performance.now()
    stage2Speed.sort((a, b) => a - b)
    return {
      images: n,
      epochs: `${epochs1} + ${epochs2}`,
      seedRecipeSeconds: round((end - t0) / 1000),
      untilStage2Seconds: round((stage2At - t0) / 1000),
      stage2Seconds: round((end - stage2At) / 1000),
      stage2MedianBatchImagesPerSecond: round(stage2Speed[stage2Speed.length >> 1] ?? 0),
      stage1Backend: res.stageBackends?.stage1 ?? '',
      stage2Backend: res.stageBackends?.stage2 ?? '',
      testAccuracy: Math.round((res.evaluation?.accuracy ?? 0) * 1000) / 1000,
      peakRssMB: Math.round(peak / 2 ** 20),
      // The embedding cache is the only cache a run keeps on disk (stage 2 recomputes the frozen part): one
      // 5 KB vector per distinct image content and augmentation variant (the generated images repeat 60 patterns).
      embeddingCacheDiskMB: Math.round((dirBytes(path.join(dir, 'cache')) / 2 ** 20) * 10) / 10,
      loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Bytes in the files below `dir` (0 when it does not exist). Walked by hand: Node 20's recursive readdir misnames nested entries. */
function dirBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0
  let total = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) total += dirBytes(p)
    else if (e.isFile()) total += fs.statSync(p).size
  }
  return total
}

import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../../shared/errors'
import { selectBackend } from '../../../compute/backend'
import { EmbeddingExtractor } from '../../backbone/embedding-extractor'
import { loadBackbone } from '../../backbone/load-backbone'
import type { LoadedBackbone } from '../../backbone/types'
import { buildHead } from '../../head/build-head'
import { backboneFeatureDim, composeModel, type ComposedModel } from '../../head/compose-model'
import { createEmbeddingSource } from '../../loop/embedding-source'
import { createLoaderSource } from '../../loop/loader-source'
import { mulberry32 } from '../../loop/random'
import type { StageTarget } from '../../loop/stage-target'
import { headTarget, imageTarget, type TrainTarget } from '../../loop/target'
import { createOrtStage2Target } from '../../finetune/ort-stage2-target'
import { createOrtHeadTarget } from '../../graph/ort-head-target'
import { loadOrt } from '../../../onnx/ort-runtime'
import { trainStage, type BatchEvent } from '../../loop/train-stage'
import type { BatchSource } from '../../loop/batch-source'
import { makePreprocessSpec } from '../../preprocess/spec'
import { headFlops, type CalibrateBackbone, type MeasureRequest, type MeasureResult } from './job'

/** Wall time a measurement aims for after its warm-up, seconds: long enough to average, short enough to wait for. */
const TARGET_SECONDS = 1.5

/**
 * Items/s of `run(n)`: one warm-up call with `first` items (kernels compile, buffers are allocated), then one
 * timed call sized from the warm-up so it lasts about TARGET_SECONDS (at most `maxItems`).
 */
async function timedRate(run: (n: number) => Promise<void>, first: number, maxItems: number): Promise<number> {
  let t = performance.now()
  await run(first)
  const warm = (performance.now() - t) / 1000 / first
  const n = Math.max(first, Math.min(maxItems, Math.round(TARGET_SECONDS / Math.max(warm, 1e-6))))
  t = performance.now()
  await run(n)
  return n / Math.max((performance.now() - t) / 1000, 1e-9)
}

const randomInputs = (n: number, size: number, seed: number): Float32Array => {
  const rnd = mulberry32(seed)
  return Float32Array.from({ length: n * size * size * 3 }, () => rnd())
}

/** Backbone embedding with the same worker pool stage 1 uses, and the forward pass in this thread. */
async function measureEmbedding(
  backbone: LoadedBackbone,
  inputSize: number,
  samplePaths: readonly string[],
  loadSeconds: number,
  signal: AbortSignal
): Promise<NonNullable<MeasureResult['embed']>> {
  const extractor = new EmbeddingExtractor({
    backbone,
    preprocess: makePreprocessSpec(inputSize, backbone.source.inputScaling)
  })
  try {
    const t0 = performance.now()
    const info = await extractor.start()
    const workersStartSeconds = (performance.now() - t0) / 1000
    const workers = /^workers: (.*)$/.exec(info.engine)?.[1].split(',').length ?? 0
    const lanes = Math.max(1, workers)
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ path: samplePaths[i % samplePaths.length] }))
    // Batches of 8 per lane, as in a run: the rate counts decode and preprocessing when real files are given.
    const embed = async (n: number) => {
      if (samplePaths.length) await extractor.extract(items(n), { signal })
      else await extractor.embedArrays(randomInputs(n, inputSize, n), n, { signal })
    }
    const imagesPerSecond = await timedRate(embed, 8 * lanes, 64 * lanes)
    const forward = async (n: number) => {
      const x = tf.tensor4d(randomInputs(n, inputSize, 7), [n, inputSize, inputSize, 3])
      const y = backbone.model.predict(x) as tf.Tensor
      await y.data()
      tf.dispose([x, y])
    }
    const forwardImagesPerSecond = await timedRate(forward, 1, 16)
    return { imagesPerSecond, workers, forwardImagesPerSecond, loadSeconds, workersStartSeconds }
  } finally {
    await extractor.close()
  }
}

/**
 * Samples/s of trainStage on `target`: one epoch over `source`, stopped once TARGET_SECONDS have passed after
 * the first batch (which compiles kernels and creates the optimizer's slots, so it is left out).
 */
async function measureTraining(
  target: TrainTarget | StageTarget,
  source: BatchSource,
  signal: AbortSignal
): Promise<number> {
  const stop = new AbortController()
  const onOuter = () => stop.abort()
  signal.addEventListener('abort', onOuter, { once: true })
  let start = 0
  let samples = 0
  let end = 0
  try {
    await trainStage(target, {
      name: 'calibration',
      train: source,
      epochs: 1,
      learningRate: 1e-4,
      seed: 1,
      signal: stop.signal,
      onBatch: (b: BatchEvent) => {
        const now = performance.now()
        if (b.batch === 0) start = now
        else {
          samples += Math.min(source.batchSize, source.size - b.batch * source.batchSize)
          end = now
        }
        if (start && now - start > TARGET_SECONDS * 1000) stop.abort()
      }
    })
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'CANCELLED') || signal.aborted) throw err
  } finally {
    signal.removeEventListener('abort', onOuter)
  }
  if (samples === 0 || end <= start)
    throw new AppError('INTERNAL', `calibration of ${target.name}: no timed batch finished`)
  return samples / ((end - start) / 1000)
}

/**
 * Head training on random embeddings of the backbone's width, with the configured widths and batch size, on
 * the trainer stage 1 uses (run-training's stage1HeadTarget): ONNX Runtime where it loads, else tfjs.
 */
async function measureHead(
  h: NonNullable<MeasureRequest['head']>,
  dim: number,
  tfBackend: string,
  signal: AbortSignal
): Promise<MeasureResult['head']> {
  const head = buildHead({ numClasses: h.numClasses, fc1Units: h.fc1Units, fc2Units: h.fc2Units, seed: 1 }, dim)
  try {
    let target: TrainTarget | StageTarget = headTarget(head)
    let backend = tfBackend
    try {
      target = await createOrtHeadTarget(head)
      backend = 'ort'
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
    }
    const n = Math.max(h.batchSize * 64, 512)
    const rnd = mulberry32(3)
    const rows = Float32Array.from({ length: n * dim }, () => rnd())
    const labels = Int32Array.from({ length: n }, (_, i) => i % h.numClasses)
    const source = createEmbeddingSource(rows, dim, labels, h.numClasses, { batchSize: h.batchSize, shuffle: true })
    return {
      samplesPerSecond: await measureTraining(target, source, signal),
      backend,
      flopsPerSample: headFlops(dim, h.fc1Units, h.fc2Units, h.numClasses),
      batchSize: h.batchSize,
      featureDim: dim
    }
  } finally {
    head.dispose()
  }
}

/** One image per step through the composed model with the top layers unfrozen, then the forward pass alone. */
async function measureStage2(
  composed: ComposedModel,
  s: number,
  unfreezeTopLayers: number,
  signal: AbortSignal
): Promise<{ trainImagesPerSecond: number; forwardImagesPerSecond: number }> {
  const target = imageTarget(composed, { trainableTopLayers: unfreezeTopLayers })
  const trainImagesPerSecond = await measureTraining(target, randomImages(16, s, 1), signal)
  const forward = async (n: number) => {
    const x = tf.tensor4d(randomInputs(n, s, 11), [n, s, s, 3])
    const y = composed.model.predict(x) as tf.Tensor
    await y.data()
    tf.dispose([x, y])
  }
  return { trainImagesPerSecond, forwardImagesPerSecond: await timedRate(forward, 1, 16) }
}

/** Random images `[n, s, s, 3]` in batches of `batchSize`, labels alternating over two classes. */
function randomImages(n: number, s: number, batchSize: number): BatchSource {
  return createLoaderSource({
    labels: Int32Array.from({ length: n }, (_, i) => i % 2),
    numClasses: 2,
    batchSize,
    shuffle: false,
    load: async (idx) => tf.tensor4d(randomInputs(idx.length, s, idx[0]), [idx.length, s, s, 3])
  })
}

/**
 * Stage 2 as it trains where ONNX Runtime loads (finetune/): the frozen part and the top layers in one graph,
 * at the configured input size and batches of 16 (224 px costs a fraction of a second per batch there).
 * The forward rate is the inference graph's, which stage 2's validation uses.
 */
async function measureOrtStage2(
  composed: ComposedModel,
  s: number,
  unfreezeTopLayers: number,
  signal: AbortSignal
): Promise<{ trainImagesPerSecond: number; forwardImagesPerSecond: number }> {
  const { target } = await createOrtStage2Target(composed, { unfreezeTopLayers })
  // Forward first: trainStage ends the target (releasing its sessions) when the timed epoch stops.
  const forwardImagesPerSecond = await timedRate(
    async (n) => {
      await target.predict(randomImages(n, s, 16), signal)
    },
    16,
    64
  )
  return {
    trainImagesPerSecond: await measureTraining(target, randomImages(64, s, 16), signal),
    forwardImagesPerSecond
  }
}

/**
 * Stage 2 is timed at most at this input size and scaled to the configured one by pixel count (convolution
 * work is proportional to it; per-layer overhead makes the scaled figure slightly pessimistic). A 224 px step
 * on the pure-JS cpu backend takes most of a minute per image, too long to wait for before every launch.
 */
export const STAGE2_CALIBRATION_SIZE = 64

/**
 * Measures what a training estimate needs on this machine, in the engine process: embedding and forward
 * speed on the active backend, head training speed, and a stage-2 step on the engine stage 2 would use:
 * ONNX Runtime where it loads (except with tfjs-node-gpu), else tfjs (cpu when the active backend is wasm),
 * exactly as run-training chooses. Leaves the active backend as it found it.
 */
export async function measureSpeeds(
  backboneChoice: CalibrateBackbone,
  req: MeasureRequest,
  signal: AbortSignal
): Promise<MeasureResult> {
  const backend = await selectBackend()
  const arch: CalibrateBackbone = backboneChoice.kind === 'tfjs-dir' ? backboneChoice : { kind: 'random' }
  const load = (inputSize: number) => loadBackbone({ kind: arch.kind, path: arch.path, inputSize, seed: 1 })
  const result: MeasureResult = { backend: backend.active, embed: null, head: null, stage2: null }
  if (req.embed || req.head) {
    const t0 = performance.now()
    const backbone = await load(req.inputSize)
    const loadSeconds = (performance.now() - t0) / 1000
    try {
      if (req.embed)
        result.embed = await measureEmbedding(backbone, req.inputSize, req.samplePaths, loadSeconds, signal)
      if (req.head)
        result.head = await measureHead(req.head, backboneFeatureDim(backbone.model), backend.tfActive, signal)
    } finally {
      backbone.model.dispose()
    }
  }
  if (req.stage2 && backend.tfActive !== 'node-gpu' && loadOrt().ok) {
    // The engine stage 2 uses here (run-training's stage2-engine.ts): ONNX Runtime, timed at full size.
    const backbone = await load(req.inputSize)
    let owner: tf.LayersModel = backbone.model
    try {
      const composed = composeModel(backbone.model, { numClasses: 2, seed: 1 }, { name: 'calibration_classifier' })
      owner = composed.model
      const rates = await measureOrtStage2(composed, req.inputSize, req.stage2.unfreezeTopLayers, signal)
      result.stage2 = { backend: 'ort', ...rates }
    } finally {
      owner.dispose()
    }
  } else if (req.stage2) {
    const before = tf.getBackend()
    // wasm has no convolution gradient kernels; run-training moves stage 2 to cpu the same way.
    if (!backend.supportsConvTraining) await tf.setBackend('cpu')
    const size = Math.min(req.inputSize, STAGE2_CALIBRATION_SIZE)
    const backbone = await load(size)
    // The composed model shares the backbone's layers: disposing it frees both.
    let owner: tf.LayersModel = backbone.model
    try {
      const composed = composeModel(backbone.model, { numClasses: 2, seed: 1 }, { name: 'calibration_classifier' })
      owner = composed.model
      const rates = await measureStage2(composed, size, req.stage2.unfreezeTopLayers, signal)
      const scale = (size / req.inputSize) ** 2
      result.stage2 = {
        backend: tf.getBackend() === 'tensorflow' ? backend.active : tf.getBackend(),
        trainImagesPerSecond: rates.trainImagesPerSecond * scale,
        forwardImagesPerSecond: rates.forwardImagesPerSecond * scale
      }
    } finally {
      owner.dispose()
      await tf.setBackend(before)
    }
  }
  return result
}

import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { buildHead } from '../training/head/build-head'
import { createEmbeddingSource } from '../training/loop/embedding-source'
import { predictSource } from '../training/loop/evaluate-source'
import { mulberry32 } from '../training/loop/random'
import { createOrtHeadTarget } from '../training/graph/ort-head-target'
import type { StageTarget } from '../training/loop/stage-target'
import { headTarget, type TrainTarget } from '../training/loop/target'
import { trainStage } from '../training/loop/train-stage'

const requireHere = createRequire(__filename)

/** Switches to the wasm backend (the figure is specified on wasm) and returns the backend to restore. */
async function useWasm(): Promise<string> {
  const previous = tf.getBackend()
  if (previous !== 'wasm') {
    const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
    const dist = path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))
    wasm.setWasmPaths(dist + path.sep)
    if (!(await tf.setBackend('wasm'))) throw new Error('benchHead: the wasm backend did not initialise')
  }
  return previous
}

/** Training and inference throughput of one head trainer (3 epochs of 100 batches, epoch 1 as warm-up). */
async function measure(
  target: TrainTarget | StageTarget,
  rows: Float32Array,
  labels: Int32Array,
  predict: () => Promise<unknown>
): Promise<Record<string, number>> {
  const train = createEmbeddingSource(rows, FEATURE_DIM, labels, K, { batchSize: 32 })
  const perBatch: number[] = []
  let cpuAtEpoch1 = 0
  let wallAtEpoch1 = 0
  const result = await trainStage(target, {
    name: 'bench',
    train,
    epochs: 3,
    learningRate: 1e-3,
    seed: 1,
    onBatch: (e) => {
      if (e.epoch > 0) perBatch.push(e.samplesPerSecond)
    },
    onEpoch: (logs) => {
      if (logs.epoch === 0) {
        cpuAtEpoch1 = cpuSeconds()
        wallAtEpoch1 = performance.now()
      }
    }
  })
  const steadyCpu = cpuSeconds() - cpuAtEpoch1
  const steadyWall = (performance.now() - wallAtEpoch1) / 1000
  perBatch.sort((a, b) => a - b)
  const steady = result.history.slice(1)
  const t0 = performance.now()
  await predict()
  const inferSeconds = (performance.now() - t0) / 1000
  return {
    'train.samplesPerSecond': round(steady.reduce((a, e) => a + e.samplesPerSecond, 0) / steady.length),
    // CPU seconds this process used: close to the wall time on an idle machine, so it shows what
    // the loop would reach when other work shares the cores (the wall figure then drops).
    'train.samplesPerCpuSecond': round((2 * N) / steadyCpu),
    'train.cpuShare': Number((steadyCpu / steadyWall).toFixed(2)),
    'train.medianBatchSamplesPerSecond': round(perBatch[perBatch.length >> 1]),
    'train.firstEpochSamplesPerSecond': round(result.history[0].samplesPerSecond),
    'train.finalLoss': Number(result.history[result.history.length - 1].loss.toFixed(4)),
    'predict.samplesPerSecond': round(N / inferSeconds)
  }
}

const FEATURE_DIM = 1280
const K = 4
const N = 3200

/**
 * Head training throughput on cached embeddings: the seed head (1280 → 512 → 256 → K=4), batch 32, Adam,
 * 3,200 synthetic embeddings (100 batches), 3 epochs, on ONNX Runtime (`head.ort.*`, what stage 1 uses when
 * it loads) and on the tfjs wasm backend (`head.*`, the fallback) in the same run. Reported per engine: mean
 * samples/s of epochs 2–3 (epoch 1 includes warm-up and is reported separately), the median over single
 * batches (robust to other load on the machine), CPU-time throughput, and inference throughput of the head.
 * Both trainers also re-estimate the BN statistics after every epoch; that pass is outside the samples/s.
 */
export async function benchHead(): Promise<Record<string, number | string>> {
  const previous = await useWasm()
  const rng = mulberry32(7)
  const rows = new Float32Array(N * FEATURE_DIM)
  const labels = new Int32Array(N)
  for (let i = 0; i < N; i++) {
    labels[i] = i % K
    // Class-dependent mean so the run resembles real training (loss falls), ReLU-like non-negative features.
    for (let d = 0; d < FEATURE_DIM; d++)
      rows[i * FEATURE_DIM + d] = Math.max(0, rng() * 2 - 1 + (d % K === labels[i] ? 0.5 : 0))
  }
  const inference = () => createEmbeddingSource(rows, FEATURE_DIM, labels, K, { batchSize: 256, shuffle: false })
  const out: Record<string, number | string> = { backend: tf.getBackend() }
  const head = buildHead({ numClasses: K, seed: 1 }, FEATURE_DIM)
  try {
    out['head.params'] = head.countParams()
    const wasm = await measure(headTarget(head), rows, labels, () => predictSource(headTarget(head), inference()))
    for (const [key, v] of Object.entries(wasm)) out[`head.${key}`] = v
  } finally {
    head.dispose()
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous)
  }
  const ortHead = buildHead({ numClasses: K, seed: 1 }, FEATURE_DIM)
  try {
    const ort = await measure(await createOrtHeadTarget(ortHead), rows, labels, async () => {
      const target = await createOrtHeadTarget(ortHead)
      target.begin(1e-3)
      await target.predict(inference())
      await target.end()
    })
    for (const [key, v] of Object.entries(ort)) out[`head.ort.${key}`] = v
    // createOrtHeadTarget's default (see its comment).
    out['head.ort.threads'] = 1
  } finally {
    ortHead.dispose()
  }
  return out
}

function cpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

function round(v: number): number {
  return Math.round(v)
}

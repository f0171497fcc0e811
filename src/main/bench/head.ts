import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { buildHead } from '../training/head/build-head'
import { createEmbeddingSource } from '../training/loop/embedding-source'
import { predictSource } from '../training/loop/evaluate-source'
import { mulberry32 } from '../training/loop/random'
import { headTarget } from '../training/loop/target'
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

/**
 * Head training throughput on cached embeddings: the seed head (1280 → 512 → 256 → K=4), batch 32,
 * Adam, on the wasm backend; 3,200 synthetic embeddings (100 batches), 3 epochs. Reported: mean
 * samples/s of epochs 2–3 (epoch 1 includes warm-up and is reported separately), the median over
 * single batches (robust to other load on the machine), and inference throughput of the same head.
 */
export async function benchHead(): Promise<Record<string, number | string>> {
  const previous = await useWasm()
  const featureDim = 1280
  const k = 4
  const n = 3200
  const rng = mulberry32(7)
  const rows = new Float32Array(n * featureDim)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = i % k
    // Class-dependent mean so the run resembles real training (loss falls), ReLU-like non-negative features.
    for (let d = 0; d < featureDim; d++)
      rows[i * featureDim + d] = Math.max(0, rng() * 2 - 1 + (d % k === labels[i] ? 0.5 : 0))
  }
  const head = buildHead({ numClasses: k, seed: 1 }, featureDim)
  try {
    const train = createEmbeddingSource(rows, featureDim, labels, k, { batchSize: 32 })
    const perBatch: number[] = []
    let cpuAtEpoch1 = 0
    let wallAtEpoch1 = 0
    const result = await trainStage(headTarget(head), {
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
    await predictSource(
      headTarget(head),
      createEmbeddingSource(rows, featureDim, labels, k, { batchSize: 256, shuffle: false })
    )
    const inferSeconds = (performance.now() - t0) / 1000
    return {
      backend: tf.getBackend(),
      'head.params': head.countParams(),
      'head.train.samplesPerSecond': round(steady.reduce((a, e) => a + e.samplesPerSecond, 0) / steady.length),
      // CPU seconds this process used: close to the wall time on an idle machine, so it shows what
      // the loop would reach when other work shares the cores (the wall figure then drops).
      'head.train.samplesPerCpuSecond': round((2 * n) / steadyCpu),
      'head.train.cpuShare': Number((steadyCpu / steadyWall).toFixed(2)),
      'head.train.medianBatchSamplesPerSecond': round(perBatch[perBatch.length >> 1]),
      'head.train.firstEpochSamplesPerSecond': round(result.history[0].samplesPerSecond),
      'head.train.finalLoss': Number(result.history[result.history.length - 1].loss.toFixed(4)),
      'head.predict.samplesPerSecond': round(n / inferSeconds)
    }
  } finally {
    head.dispose()
    if (previous && previous !== tf.getBackend()) await tf.setBackend(previous)
  }
}

function cpuSeconds(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

function round(v: number): number {
  return Math.round(v)
}

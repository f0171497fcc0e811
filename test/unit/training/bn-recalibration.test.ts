import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead } from '../../../src/main/training/head/build-head'
import { buildHeadInferenceGraph, buildHeadTrainingGraph } from '../../../src/main/training/graph/head-graph'
import { headSpecOf } from '../../../src/main/training/graph/head-spec'
import { createOrtHeadTarget } from '../../../src/main/training/graph/ort-head-target'
import { createOrtTarget } from '../../../src/main/training/graph/ort-target'
import { createEmbeddingSource } from '../../../src/main/training/loop/embedding-source'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { headTarget } from '../../../src/main/training/loop/target'
import { trainStage } from '../../../src/main/training/loop/train-stage'
import { exportWeights } from '../../../src/main/training/loop/weights'
import { useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const DIM = 256
const K = 3

/**
 * Embeddings shaped like a frozen ImageNet backbone's on MRI slices: non-negative, a large per-feature
 * offset shared by every image (2 ± 1) and a small class signal (+0.1 on every third feature) in noise of
 * 0.1. Separable once normalised, which is what the head's first BN does with batch statistics.
 */
function embeddings(n: number, seed: number) {
  const rng = mulberry32(seed)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  const rows = new Float32Array(n * DIM)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = i % K
    for (let d = 0; d < DIM; d++) {
      rows[i * DIM + d] = Math.max(0, 2 * (1 + 0.5 * Math.sin(d)) + 0.1 * gauss() + (d % K === labels[i] ? 0.1 : 0))
    }
  }
  return createEmbeddingSource(rows, DIM, labels, K, { shuffle: n !== 126 })
}

/** The #13 case: 126 training images, 3 classes, 10 epochs of stage 1 (lr 1e-3, batch 32). */
async function smallRun(engine: 'ort' | 'tfjs', recalibrateBatchNorm: boolean) {
  // The seed head on ONNX Runtime; a narrower one on the (slow) tfjs cpu backend, same layer chain.
  const head = buildHead(
    engine === 'ort' ? { numClasses: K, seed: 3 } : { numClasses: K, fc1Units: 64, fc2Units: 32, seed: 3 },
    DIM
  )
  try {
    const target = engine === 'ort' ? await createOrtHeadTarget(head) : headTarget(head)
    const r = await trainStage(target, {
      train: embeddings(126, 1),
      validation: embeddings(63, 2),
      epochs: 10,
      learningRate: 1e-3,
      seed: 5,
      recalibrateBatchNorm
    })
    return r.history
  } finally {
    head.dispose()
  }
}

describe('head BatchNorm moving statistics on small data (#13)', () => {
  for (const engine of ['ort', 'tfjs'] as const) {
    it(`${engine}: Keras' moving averages alone leave validation at chance while training accuracy passes 90 %`, async () => {
      const h = await smallRun(engine, false)
      expect(h.at(-1)!.accuracy).toBeGreaterThan(0.9)
      // 3 classes: chance is 1/3. Every epoch stays near it: the inference-mode BN is the failure.
      expect(Math.max(...h.map((e) => e.valAccuracy!))).toBeLessThan(0.5)
    })

    it(`${engine}: re-estimated statistics give validation accuracy far above chance`, async () => {
      const h = await smallRun(engine, true)
      expect(h.at(-1)!.accuracy).toBeGreaterThan(0.9)
      expect(h.at(-1)!.valAccuracy!).toBeGreaterThan(0.9)
      // Most epochs, not only once the moving averages would have caught up.
      expect(h.filter((e) => e.valAccuracy! > 0.8).length).toBeGreaterThanOrEqual(8)
    })
  }

  it('re-estimates exactly the population statistics of each BN input', async () => {
    const head = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 3 }, DIM)
    const train = embeddings(126, 1)
    const ort = await createOrtHeadTarget(head)
    ort.begin(1e-3)
    await ort.recalibrateBatchNorm!(train)
    const w = Object.fromEntries(ort.exportWeights().map((x) => [x.name, x.values]))
    await ort.end()
    // bn1's input is the embeddings themselves: compare with tf.moments over all 126 rows.
    const all: Float32Array[] = []
    for await (const b of embeddings(126, 1).batches(0)) {
      all.push(b.xValues!)
      tf.dispose([b.x, b.y])
    }
    const x = tf.tensor2d(Float32Array.from(all.flatMap((a) => Array.from(a))), [126, DIM])
    const { mean, variance } = tf.moments(x, 0)
    const err = (a: Float32Array, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])))
    expect(err(w['bn1/moving_mean'], mean.dataSync())).toBeLessThan(1e-5)
    expect(err(w['bn1/moving_variance'], variance.dataSync())).toBeLessThan(1e-5)
    // bn2's input: the head below it in inference mode (tfjs predict through fc2), after end() wrote back.
    const below = tf.model({ inputs: head.inputs, outputs: head.getLayer('fc2').output as tf.SymbolicTensor })
    const m2 = tf.moments(below.predict(x) as tf.Tensor, 0)
    expect(err(w['bn2/moving_mean'], m2.mean.dataSync())).toBeLessThan(1e-4)
    expect(err(w['bn2/moving_variance'], m2.variance.dataSync())).toBeLessThan(1e-4)
    // The stage-2 route (head features collected once, head BNs from a head-only graph) gives the same.
    for (const name of ['bn1', 'bn2']) {
      const [gamma, beta, mm, mv] = head.getLayer(name).getWeights()
      head.getLayer(name).setWeights([gamma, beta, tf.zerosLike(mm), tf.onesLike(mv)])
    }
    const spec = headSpecOf(head)
    const infer = buildHeadInferenceGraph(spec)
    const viaFeatures = await createOrtTarget(
      {
        name: 'head',
        params: spec.params,
        inputShape: [DIM],
        numClasses: K,
        train: buildHeadTrainingGraph(spec),
        infer,
        head: { spec, input: infer.io.bnInputs[0].value }
      },
      exportWeights(head.weights)
    )
    viaFeatures.begin(1e-3)
    await viaFeatures.recalibrateBatchNorm!(train)
    const w2 = Object.fromEntries(viaFeatures.exportWeights().map((x) => [x.name, x.values]))
    await viaFeatures.end()
    for (const name of ['bn1/moving_mean', 'bn1/moving_variance', 'bn2/moving_mean', 'bn2/moving_variance']) {
      expect(err(w2[name], w[name]), name).toBeLessThan(1e-5)
    }
    tf.dispose([x, mean, variance, m2.mean, m2.variance])
    head.dispose()
  })
})

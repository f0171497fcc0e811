import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOrtSession, loadOrt } from '../../../src/main/onnx/ort-runtime'
import { buildHead } from '../../../src/main/training/head/build-head'
import { buildHeadInferenceGraph, buildHeadTrainingGraph } from '../../../src/main/training/graph/head-graph'
import { headSpecOf } from '../../../src/main/training/graph/head-spec'
import { exportWeights } from '../../../src/main/training/loop/weights'
import { clusters, maxAbsDiff, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const DIM = 12
const K = 3
const N = 10
const EPS = 1e-3

/** Relative error of `a` against the reference `b`, scaled by b's largest magnitude (floored at 1e-3). */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs))
  return maxAbsDiff(a, b) / scale
}

function masks(n: number, units: number, rate: number, seed: number): Float32Array {
  let s = seed
  return Float32Array.from({ length: n * units }, () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 < rate ? 0 : 1 / (1 - rate)
  })
}

/**
 * The head's training-mode loss written independently with tfjs ops (batch-statistics BN, inverted dropout
 * with the given masks, softmax, clipped log, weighted mean), for tf.grads on the cpu backend.
 */
function referenceLoss(
  p: Record<string, tf.Tensor>,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  w: tf.Tensor1D,
  m1: tf.Tensor2D,
  m2: tf.Tensor2D,
  frozenBn2: boolean
): tf.Scalar {
  const bnTrain = (t: tf.Tensor2D, name: string): tf.Tensor2D => {
    const { mean, variance } = tf.moments(t, 0)
    return tf.add(
      tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, EPS))), p[`${name}/gamma`]),
      p[`${name}/beta`]
    )
  }
  const bnInfer = (t: tf.Tensor2D, name: string): tf.Tensor2D =>
    tf.add(
      tf.mul(
        tf.div(tf.sub(t, p[`${name}/moving_mean`]), tf.sqrt(tf.add(p[`${name}/moving_variance`], EPS))),
        p[`${name}/gamma`]
      ),
      p[`${name}/beta`]
    )
  const dense = (t: tf.Tensor2D, name: string): tf.Tensor2D =>
    tf.add(tf.matMul(t, p[`${name}/kernel`] as tf.Tensor2D), p[`${name}/bias`])
  let t = bnTrain(x, 'bn1')
  t = tf.mul(tf.relu(dense(t, 'fc1')), m1)
  t = tf.relu(dense(t, 'fc2'))
  t = frozenBn2 ? bnInfer(t, 'bn2') : bnTrain(t, 'bn2')
  t = tf.mul(t, m2)
  const probs = tf.softmax(dense(t, 'output'))
  const perSample = tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))
  return tf.mean(tf.mul(perSample, w))
}

describe('the head training graph on ONNX Runtime', () => {
  const VARIANTS = {
    batch: 'both BN layers on batch statistics',
    frozen: 'bn2 frozen: inference-mode BN, γ and β fixed',
    inference: 'bn2 in inference mode with trainable γ and β (as stage 2 trains backbone BN)'
  }
  for (const [variant, what] of Object.entries(VARIANTS)) {
    const frozenBn2 = variant !== 'batch'
    it(`gives tf.grad's loss, probabilities, every gradient and the BN batch statistics (${what})`, async () => {
      const head = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 4 }, DIM)
      // Non-trivial γ, β and moving statistics, so every term of the BN gradients matters.
      for (const name of ['bn1', 'bn2']) {
        const layer = head.getLayer(name)
        const c = layer.getWeights()[0].shape[0]
        layer.setWeights([
          tf.tensor1d(Array.from({ length: c }, (_, i) => 0.5 + 0.1 * i)),
          tf.tensor1d(Array.from({ length: c }, (_, i) => 0.05 * i - 0.2)),
          tf.tensor1d(Array.from({ length: c }, (_, i) => 0.1 * i)),
          tf.tensor1d(Array.from({ length: c }, (_, i) => 0.5 + 0.2 * i))
        ])
      }
      if (variant === 'frozen') head.getLayer('bn2').trainable = false
      const spec = headSpecOf(head)
      if (variant === 'inference') {
        const bn2 = spec.layers.find((l) => l.name === 'bn2')
        if (bn2?.kind === 'batchnorm') bn2.trainable = false
      }
      const { bytes, io } = buildHeadTrainingGraph(spec)
      const session = await createOrtSession(bytes, 1)
      const { rows, labels } = clusters(N, DIM, K, 9)
      const oneHot = new Float32Array(N * K)
      labels.forEach((l, r) => (oneHot[r * K + l] = 1))
      const sw = Float32Array.from([1, 2, 0.5, 1, 1, 3, 1, 1, 0.25, 1])
      const m1 = masks(N, 16, 0.5, 3)
      const m2 = masks(N, 8, 0.3, 4)
      const ort = loadOrt()
      if (!ort.ok) throw new Error(ort.reason)
      const T = ort.ort.Tensor
      const weights = exportWeights(head.weights)
      const feeds: Record<string, InstanceType<typeof T>> = {
        [io.x]: new T('float32', rows, [N, DIM]),
        [io.oneHot]: new T('float32', oneHot, [N, K]),
        [io.sampleWeights]: new T('float32', sw, [N])
      }
      for (const w of weights) feeds[w.name] = new T('float32', w.values, w.shape)
      expect(io.dropouts.map((d) => d.units)).toEqual([16, 8])
      feeds[io.dropouts[0].input] = new T('float32', m1, [N, 16])
      feeds[io.dropouts[1].input] = new T('float32', m2, [N, 8])
      const out = await session.run(feeds)

      const p = Object.fromEntries(weights.map((w) => [w.name, tf.tensor(w.values, w.shape)]))
      const trained = spec.params.filter((q) => q.trainable).map((q) => q.name)
      expect(Object.keys(io.grads).sort()).toEqual([...trained].sort())
      expect(trained).toHaveLength(variant === 'frozen' ? 8 : 10)
      const x = tf.tensor2d(rows, [N, DIM])
      const y = tf.tensor2d(oneHot, [N, K])
      const w = tf.tensor1d(sw)
      const mt1 = tf.tensor2d(m1, [N, 16])
      const mt2 = tf.tensor2d(m2, [N, 8])
      const f = (...ts: tf.Tensor[]): tf.Scalar =>
        referenceLoss({ ...p, ...Object.fromEntries(trained.map((n, i) => [n, ts[i]])) }, x, y, w, mt1, mt2, frozenBn2)
      const { value, grads } = tf.valueAndGrads(f)(trained.map((n) => p[n]))
      const loss = (out[io.loss].data as Float32Array)[0]
      expect(Math.abs(loss - value.dataSync()[0]) / value.dataSync()[0]).toBeLessThan(1e-5)
      expect(loss).toBeGreaterThan(0.1)
      // Stated tolerance: 1e-4 of the largest reference magnitude, for every gradient.
      trained.forEach((name, i) => {
        const ref = grads[i].dataSync()
        expect(Math.max(...Array.from(ref, Math.abs)), name).toBeGreaterThan(1e-6)
        expect(relErr(out[io.grads[name]].data as Float32Array, ref), name).toBeLessThan(1e-4)
      })
      for (const s of io.batchStats) {
        const layer = s.movingMean.split('/')[0]
        const input = layer === 'bn1' ? x : null
        if (!input) continue
        const { mean, variance } = tf.moments(input, 0)
        expect(relErr(out[s.batchMean].data as Float32Array, mean.dataSync())).toBeLessThan(1e-5)
        expect(relErr(out[s.batchVariance].data as Float32Array, variance.dataSync())).toBeLessThan(1e-5)
      }
      expect(io.batchStats).toHaveLength(frozenBn2 ? 1 : 2)
      await session.release()
      head.dispose()
    })
  }

  it('infers what the tfjs head predicts, and outputs each BN input', async () => {
    const head = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 5 }, DIM)
    head
      .getLayer('bn2')
      .setWeights([
        tf.ones([8]),
        tf.zeros([8]),
        tf.tensor1d(Array.from({ length: 8 }, (_, i) => 0.3 * i)),
        tf.tensor1d(Array.from({ length: 8 }, (_, i) => 1 + i))
      ])
    const { bytes, io } = buildHeadInferenceGraph(headSpecOf(head))
    const session = await createOrtSession(bytes, 1)
    const { rows } = clusters(N, DIM, K, 2)
    const ort = loadOrt()
    if (!ort.ok) throw new Error(ort.reason)
    const feeds: Record<string, InstanceType<typeof ort.ort.Tensor>> = {
      [io.x]: new ort.ort.Tensor('float32', rows, [N, DIM])
    }
    for (const w of exportWeights(head.weights)) feeds[w.name] = new ort.ort.Tensor('float32', w.values, w.shape)
    const out = await session.run(feeds)
    const expected = (head.predict(tf.tensor2d(rows, [N, DIM])) as tf.Tensor).dataSync()
    expect(maxAbsDiff(out[io.probs].data as Float32Array, expected)).toBeLessThan(1e-5)
    expect(io.bnInputs).toHaveLength(2)
    expect(maxAbsDiff(out[io.bnInputs[0].value].data as Float32Array, rows)).toBe(0)
    await session.release()
    head.dispose()
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  batchNormInference,
  depthwiseConv3x3,
  globalAveragePool,
  pointwiseConv,
  relu6,
  residualAdd,
  type Feature
} from '../../../../src/main/onnx/ops/conv'
import { useCpuBackend } from '../fixtures'
import { gradientError, randomInput, uniform } from './grad-check'

beforeAll(useCpuBackend)

/**
 * Tolerance: float32 sums over at most a few hundred terms in a different order (ORT's GEMM and Conv vs
 * tfjs-cpu's loops) agree to ~1e-6 relative; 1e-4 of the largest gradient leaves room and still catches
 * any wrong index, sign or missing term (those give errors of order 1).
 */
const TOL = 1e-4

const N = 3
const H = 5
const W = 4

const feat = (name: string, c: number): Feature => ({ name, h: H, w: W, c })

function expectSmall(r: { forward: number; grads: Record<string, number> }, names: string[]): void {
  expect(r.forward).toBeLessThan(TOL)
  expect(Object.keys(r.grads).sort()).toEqual([...names].sort())
  for (const n of names) expect(r.grads[n], `gradient of ${n}`).toBeLessThan(TOL)
}

describe('conv ops: gradients against tf.grad (tfjs cpu backend)', () => {
  it('1×1 convolution (MatMul): input and kernel', async () => {
    const r = await gradientError(
      [randomInput('x', [N, H, W, 6], 1), randomInput('k', [1, 1, 6, 5], 2)],
      [N, H, W, 5],
      (t, n) => pointwiseConv(t, feat(n.x, 6), n.k, 5).name,
      (m) => tf.conv2d(m.x as tf.Tensor4D, m.k as tf.Tensor4D, 1, 'same')
    )
    expectSmall(r, ['x', 'k'])
  })

  it('depthwise 3×3 (grouped Conv, ConvTranspose, Conv over the batch): input and kernel', async () => {
    const r = await gradientError(
      [randomInput('x', [N, H, W, 7], 3), randomInput('k', [3, 3, 7, 1], 4)],
      [N, H, W, 7],
      (t, n) => depthwiseConv3x3(t, feat(n.x, 7), n.k).name,
      (m) => tf.depthwiseConv2d(m.x as tf.Tensor4D, m.k as tf.Tensor4D, 1, 'same')
    )
    expectSmall(r, ['x', 'k'])
  })

  it('inference-mode BatchNorm with trainable γ and β: input, γ, β', async () => {
    const mean = uniform(4, 5)
    const variance = uniform(4, 6, 0.2, 2)
    const r = await gradientError(
      [randomInput('x', [N, H, W, 4], 7), randomInput('gamma', [4], 8), randomInput('beta', [4], 9)],
      [N, H, W, 4],
      (t, n) =>
        batchNormInference(t, feat(n.x, 4), n.gamma, n.beta, {
          movingMean: mean,
          movingVariance: variance,
          epsilon: 1e-3
        }).name,
      (m) => tf.batchNorm(m.x, tf.tensor1d(mean), tf.tensor1d(variance), m.beta, m.gamma, 1e-3)
    )
    expectSmall(r, ['x', 'gamma', 'beta'])
  })

  it('BatchNorm with frozen γ, β passes only the input gradient', async () => {
    const r = await gradientError(
      [randomInput('x', [N, H, W, 4], 7), randomInput('gamma', [4], 8, false), randomInput('beta', [4], 9, false)],
      [N, H, W, 4],
      (t, n) =>
        batchNormInference(t, feat(n.x, 4), n.gamma, n.beta, {
          movingMean: new Float32Array(4).fill(0.1),
          movingVariance: new Float32Array(4).fill(0.5),
          epsilon: 1e-3
        }).name,
      (m) => tf.batchNorm(m.x, tf.fill([4], 0.1), tf.fill([4], 0.5), m.beta, m.gamma, 1e-3)
    )
    expectSmall(r, ['x'])
  })

  it('ReLU6 (Clip) with values on both sides of 0 and 6', async () => {
    const r = await gradientError(
      [randomInput('x', [N, H, W, 3], 10, true, -3, 9)],
      [N, H, W, 3],
      (t, n) => relu6(t, feat(n.x, 3)).name,
      (m) => tf.relu6(m.x)
    )
    expectSmall(r, ['x'])
  })

  it('residual Add sends the gradient to both branches', async () => {
    const r = await gradientError(
      [randomInput('a', [N, H, W, 3], 11), randomInput('b', [N, H, W, 3], 12)],
      [N, H, W, 3],
      (t, n) => residualAdd(t, feat(n.a, 3), feat(n.b, 3)).name,
      (m) => tf.add(m.a, m.b)
    )
    expectSmall(r, ['a', 'b'])
  })

  it('global average pool', async () => {
    const r = await gradientError(
      [randomInput('x', [N, H, W, 3], 13)],
      [N, 3],
      (t, n) => globalAveragePool(t, feat(n.x, 3)),
      (m) => tf.mean(m.x, [1, 2])
    )
    expectSmall(r, ['x'])
  })

  it('an inverted-residual block (expand, depthwise, project, BN, ReLU6, residual) + pool', async () => {
    const c = 4
    const e = 12
    const stats = (seed: number, ch: number) => ({
      movingMean: uniform(ch, seed, -0.5, 0.5),
      movingVariance: uniform(ch, seed + 1, 0.5, 1.5),
      epsilon: 1e-3
    })
    const s1 = stats(30, e)
    const s2 = stats(32, e)
    const s3 = stats(34, c)
    const inputs = [
      randomInput('x', [N, H, W, c], 20, true, -2, 2),
      randomInput('k1', [1, 1, c, e], 21),
      randomInput('g1', [e], 22, true, 0.5, 1.5),
      randomInput('b1', [e], 23),
      randomInput('kd', [3, 3, e, 1], 24),
      randomInput('g2', [e], 25, true, 0.5, 1.5),
      randomInput('b2', [e], 26),
      randomInput('k2', [1, 1, e, c], 27),
      randomInput('g3', [c], 28, true, 0.5, 1.5),
      randomInput('b3', [c], 29)
    ]
    const r = await gradientError(
      inputs,
      [N, c],
      (t, n) => {
        const x = feat(n.x, c)
        let y = pointwiseConv(t, x, n.k1, e)
        y = relu6(t, batchNormInference(t, y, n.g1, n.b1, s1))
        y = depthwiseConv3x3(t, y, n.kd)
        y = relu6(t, batchNormInference(t, y, n.g2, n.b2, s2))
        y = pointwiseConv(t, y, n.k2, c)
        y = batchNormInference(t, y, n.g3, n.b3, s3)
        return globalAveragePool(t, residualAdd(t, x, y))
      },
      (m) => {
        const bn = (v: tf.Tensor, s: typeof s1, g: tf.Tensor, b: tf.Tensor) =>
          tf.batchNorm(v, tf.tensor1d(s.movingMean), tf.tensor1d(s.movingVariance), b, g, 1e-3)
        let y: tf.Tensor = tf.conv2d(m.x as tf.Tensor4D, m.k1 as tf.Tensor4D, 1, 'same')
        y = tf.relu6(bn(y, s1, m.g1, m.b1))
        y = tf.depthwiseConv2d(y as tf.Tensor4D, m.kd as tf.Tensor4D, 1, 'same')
        y = tf.relu6(bn(y, s2, m.g2, m.b2))
        y = tf.conv2d(y as tf.Tensor4D, m.k2 as tf.Tensor4D, 1, 'same')
        y = bn(y, s3, m.g3, m.b3)
        return tf.mean(tf.add(m.x, y), [1, 2])
      }
    )
    expectSmall(
      r,
      inputs.map((i) => i.name)
    )
  })
})

import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { planAdd, planConv, planGlobalAveragePool } from '../../../src/main/onnx/ops/plan-conv'
import type { ExplicitPad, PlanOp } from '../../../src/main/training/backbone/inference-plan'
import { useCpuBackend } from '../training/fixtures'
import { gradientError, randomInput, uniform } from '../training/finetune/grad-check'

beforeAll(useCpuBackend)

/**
 * Tolerance, as in test/unit/training/finetune/conv-grad.test.ts: float32 sums over a few dozen terms in a
 * different order agree to ~1e-6 relative; 1e-4 of the largest gradient still catches any wrong index,
 * stride, pad side, flip or missing row (errors of order 1).
 */
const TOL = 1e-4
const N = 3

const nchw = (x: tf.Tensor): tf.Tensor4D => tf.transpose(x as tf.Tensor4D, [0, 3, 1, 2])
const nhwc = (x: tf.Tensor): tf.Tensor4D => tf.transpose(x as tf.Tensor4D, [0, 2, 3, 1])

/** A depthwise plan op on C channels: 3 × 3 kernel, seeded weights and bias, explicit pads or 'same'. */
function depthwiseOp(c: number, strides: [number, number], pad: PlanOp['pad'], relu6: boolean): PlanOp {
  return {
    op: 'depthwise',
    name: 'dw',
    inputs: ['x'],
    strides,
    pad,
    activation: relu6 ? 'relu6' : 'linear',
    filterShape: [3, 3, c, 1],
    filter: uniform(9 * c, 12),
    bias: uniform(c, 13, -0.5, 0.5)
  }
}

/** tfjs reference of a plan op on NHWC x: pad, convolution, bias, ReLU6 (tf.clipByValue's gradient). */
function tfOp(op: PlanOp, x: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, cin, last] = op.filterShape as number[]
  const k = tf.tensor4d(op.filter as Float32Array, [kh, kw, cin, last])
  const pad = op.pad ?? 'valid'
  const strides = op.strides ?? [1, 1]
  const padded = typeof pad === 'string' ? x : tf.pad(x, pad)
  const mode = typeof pad === 'string' ? pad : 'valid'
  const y = op.op === 'depthwise' ? tf.depthwiseConv2d(padded, k, strides, mode) : tf.conv2d(padded, k, strides, mode)
  const biased = tf.add(y, tf.tensor1d(op.bias as Float32Array)) as tf.Tensor4D
  return op.activation === 'relu6' ? tf.clipByValue(biased, 0, 6) : biased
}

/** Forward and input gradient of planConv on x `[N, C, h, w]` against tf.grad of the NHWC reference. */
async function check(op: PlanOp, h: number, w: number, out: [number, number]): Promise<void> {
  const [, , cin, last] = op.filterShape as number[]
  const cout = op.op === 'depthwise' ? cin : last
  const r = await gradientError(
    // Values in [-1, 4]: the ReLU6 sees both clipped ends and the inside.
    [randomInput('x', [N, cin, h, w], 11, true, -1, 4)],
    [N, cout, out[0], out[1]],
    (t, n) => {
      const clip: [string, string] = [t.g.constant('zero', [0], []), t.g.constant('six', [6], [])]
      const y = planConv(t, op, { name: n.x, channels: cin, height: h, width: w }, clip)
      expect([y.channels, y.height, y.width]).toEqual([cout, out[0], out[1]])
      return y.name
    },
    (m) => nchw(tfOp(op, nhwc(m.x)))
  )
  expect(r.forward).toBeLessThan(TOL)
  expect(Object.keys(r.grads)).toEqual(['x'])
  expect(r.grads.x).toBeLessThan(TOL)
}

const explicit = (t: number, b: number, l: number, r: number): ExplicitPad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0]
]

describe('plan ops on ONNX Runtime: input gradients against tf.grad (tfjs cpu backend)', () => {
  it("stride-2 depthwise behind MobileNetV2's ZeroPadding ((0, 1), (0, 1)), 6 × 6 → 3 × 3 (14 → 7 at 224 px)", async () => {
    await check(depthwiseOp(5, [2, 2], explicit(0, 1, 0, 1), false), 6, 6, [3, 3])
    await check(depthwiseOp(5, [2, 2], explicit(0, 1, 0, 1), true), 6, 6, [3, 3])
  })

  it('stride-2 depthwise where the stride skips the last input row or column, and symmetric pads', async () => {
    // h: (7 + 2 − 3) / 2 + 1 = 4, exact; w: (6 + 1 − 3) / 2 + 1 = 3, exact; then 5 × 8 unpadded: one row
    // (5 − 3 = 2, even: none) and one column ((8 − 3) mod 2 = 1) the stride never reads.
    await check(depthwiseOp(4, [2, 2], explicit(1, 1, 0, 1), true), 7, 6, [4, 3])
    await check(depthwiseOp(4, [2, 2], 'valid', false), 5, 8, [2, 3])
    await check(depthwiseOp(4, [2, 2], 'same', true), 7, 7, [4, 4])
  })

  it("stride-1 depthwise with 'same' pads and ReLU6", async () => {
    await check(depthwiseOp(6, [1, 1], 'same', true), 4, 5, [4, 5])
  })

  it('1 × 1 convolution with folded bias, linear and ReLU6', async () => {
    const op = (relu6: boolean): PlanOp => ({
      op: 'conv',
      name: 'pw',
      inputs: ['x'],
      strides: [1, 1],
      pad: 'same',
      activation: relu6 ? 'relu6' : 'linear',
      filterShape: [1, 1, 6, 5],
      filter: uniform(30, 14),
      bias: uniform(5, 15)
    })
    await check(op(false), 3, 4, [3, 4])
    await check(op(true), 3, 4, [3, 4])
  })

  it('residual add and global average pooling', async () => {
    const r = await gradientError(
      [randomInput('x', [N, 4, 3, 5], 21), randomInput('y', [N, 4, 3, 5], 22)],
      [N, 4],
      (t, n) => {
        const v = (name: string) => ({ name, channels: 4, height: 3, width: 5 })
        return planGlobalAveragePool(t, planAdd(t, v(n.x), v(n.y), 'sum'))
      },
      (m) => tf.mean(tf.add(m.x, m.y), [2, 3])
    )
    expect(r.forward).toBeLessThan(TOL)
    expect(r.grads.x).toBeLessThan(TOL)
    expect(r.grads.y).toBeLessThan(TOL)
  })
})

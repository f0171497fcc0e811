import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { explicitPads } from '../../onnx/plan-to-onnx'
import type { InferencePlan, PlanOp } from '../../training/backbone/inference-plan'

/**
 * The part of a backbone's InferencePlan after an inner value (a finer saliency layer, e.g. MobileNetV2's
 * 14 × 14 `block_13_expand_relu`), as a differentiable tfjs function of that value: a map at a finer layer
 * needs ∂score/∂A through the remaining blocks. Plain tfjs ops whose gradients every backend has, except
 * the depthwise convolution, whose input gradient tfjs-backend-wasm 4.22 lacks
 * (DepthwiseConv2dNativeBackpropInput): it gets its own gradient, written with forward depthwise ops.
 */
export type PlanTail = (a: tf.Tensor4D) => tf.Tensor4D

/** Inserts s − 1 zero rows (axis 1) or columns (axis 2) between the entries of x `[b, h, w, c]`. */
function dilate(x: tf.Tensor4D, s: number, axis: 1 | 2): tf.Tensor4D {
  if (s === 1) return x
  const [b, h, w, c] = x.shape
  const stacked = tf.stack([x, ...Array.from({ length: s - 1 }, () => tf.zerosLike(x))], axis + 1)
  if (axis === 1) return tf.slice(tf.reshape(stacked, [b, h * s, w, c]), 0, [b, h * s - s + 1, w, c]) as tf.Tensor4D
  return tf.slice(tf.reshape(stacked, [b, h, w * s, c]), 0, [b, h, w * s - s + 1, c]) as tf.Tensor4D
}

/**
 * 'valid' depthwise convolution (multiplier 1) of an already padded x with stride s. Its input gradient
 * is the full correlation of the stride-dilated dy with the flipped filter, dx[j] = Σ_{s·i+u=j} dy[i]·f[u],
 * zero at the end where the stride skipped input rows. Exported for its gradient test.
 */
export function depthwiseValid(filter: tf.Tensor4D, strides: [number, number]): (x: tf.Tensor4D) => tf.Tensor4D {
  const [kh, kw] = filter.shape
  return tf.customGrad((x, save) => {
    ;(save as tf.GradSaveFunc)([])
    const xt = x as tf.Tensor4D
    return {
      value: tf.depthwiseConv2d(xt, filter, strides, 'valid'),
      gradFunc: (dy: tf.Tensor) => {
        const [, h, w] = xt.shape
        const d = dilate(dilate(dy as tf.Tensor4D, strides[0], 1), strides[1], 2)
        const around: Array<[number, number]> = [
          [0, 0],
          [kh - 1, kh - 1],
          [kw - 1, kw - 1],
          [0, 0]
        ]
        const full = tf.depthwiseConv2d(tf.pad(d, around), tf.reverse(filter, [0, 1]) as tf.Tensor4D, 1, 'valid')
        return tf.pad(full, [
          [0, 0],
          [0, h - full.shape[1]],
          [0, w - full.shape[2]],
          [0, 0]
        ])
      }
    }
  }) as (x: tf.Tensor4D) => tf.Tensor4D
}

/**
 * 1 × 1 convolution, stride 1, with its input gradient written as a forward 1 × 1 convolution by the
 * transposed filter (dx = dy · Wᵀ per pixel). Why: tfjs-backend-wasm 4.22 runs Conv2DBackpropInput
 * without XNNPACK, ~80 % of a saliency batch (1.15 of 1.46 s for 16 images and one class, measured);
 * the forward conv is ~10× faster. The transposed filter goes into `owned`. Exported for its gradient test.
 */
export function pointwiseValid(filter: tf.Tensor4D, owned: tf.Tensor[]): (x: tf.Tensor4D) => tf.Tensor4D {
  const transposed = tf.transpose(filter, [0, 1, 3, 2]) as tf.Tensor4D
  owned.push(transposed)
  return tf.customGrad((x, save) => {
    ;(save as tf.GradSaveFunc)([])
    return {
      value: tf.conv2d(x as tf.Tensor4D, filter, 1, 'valid'),
      gradFunc: (dy: tf.Tensor) => tf.conv2d(dy as tf.Tensor4D, transposed, 1, 'valid')
    }
  }) as (x: tf.Tensor4D) => tf.Tensor4D
}

/**
 * The ops of `plan` after the value `from` (the saliency tail, on tfjs here and on ONNX Runtime in
 * layercam-graph.ts). Throws INVALID_ARGUMENT when the plan computes no `from`, UNSUPPORTED when a later op
 * reads a value computed before it (the tail must depend on `from` alone).
 */
export function tailOps(plan: InferencePlan, from: string): PlanOp[] {
  const at = plan.ops.findIndex((o) => o.name === from)
  if (at < 0) throw new AppError('INVALID_ARGUMENT', `saliency layer "${from}" is not a value of the backbone plan`)
  const ops = plan.ops.slice(at + 1)
  const known = new Set([from, ...ops.map((o) => o.name)])
  for (const op of ops) {
    const stray = op.inputs.find((i) => !known.has(i))
    if (stray) {
      throw new AppError(
        'UNSUPPORTED',
        `saliency layer "${from}": op "${op.name}" also reads "${stray}", computed before it`
      )
    }
  }
  return ops
}

/**
 * The part of `plan` up to and including the value `at` (`channels` wide): what the backbone runtime runs
 * before the saliency tail, without compiling the cut model a second time.
 */
export function planUpTo(plan: InferencePlan, at: string, channels: number): InferencePlan {
  const end = plan.ops.findIndex((o) => o.name === at)
  if (end < 0) throw new AppError('INVALID_ARGUMENT', `saliency layer "${at}" is not a value of the backbone plan`)
  return { ...plan, ops: plan.ops.slice(0, end + 1), output: at, featureDim: channels }
}

/**
 * The ops of `plan` after the value `from`, as a function of that value returning `plan.output`. The
 * weights are uploaded once into `owned` (the caller disposes them). Throws INVALID_ARGUMENT when the plan
 * computes no `from`, UNSUPPORTED when a later op reads a value computed before it (the tail must depend
 * on `from` alone) or a depthwise op has a multiplier other than 1.
 */
export function planTail(plan: InferencePlan, from: string, owned: tf.Tensor[]): PlanTail {
  const ops = tailOps(plan, from)
  const steps = ops.map((op) => {
    if (op.op !== 'conv' && op.op !== 'depthwise') return { op, run: null }
    const shape = op.filterShape as [number, number, number, number]
    if (op.op === 'depthwise' && shape[3] !== 1) {
      throw new AppError('UNSUPPORTED', `saliency layer "${from}": depthwise op "${op.name}" has a multiplier ≠ 1`)
    }
    const filter = tf.tensor4d(op.filter as Float32Array, shape)
    const bias = tf.tensor1d(op.bias as Float32Array)
    owned.push(filter, bias)
    const strides = op.strides ?? [1, 1]
    const pointwise = shape[0] === 1 && shape[1] === 1 && strides[0] === 1 && strides[1] === 1
    const conv =
      op.op === 'depthwise'
        ? depthwiseValid(filter, strides)
        : pointwise
          ? pointwiseValid(filter, owned)
          : (x: tf.Tensor4D): tf.Tensor4D => tf.conv2d(x, filter, strides, 'valid')
    const run = (x: tf.Tensor4D): tf.Tensor4D => {
      const size = { height: x.shape[1], width: x.shape[2] }
      const [t, l, b, r] = explicitPads(op.pad ?? 'valid', size, shape[0], shape[1], strides[0], strides[1])
      const padded =
        t + b + l + r > 0
          ? tf.pad(x, [
              [0, 0],
              [t, b],
              [l, r],
              [0, 0]
            ])
          : x
      const y = tf.add(conv(padded), bias) as tf.Tensor4D
      return op.activation === 'relu6' ? tf.clipByValue(y, 0, 6) : y
    }
    return { op, run }
  })
  return (a) => {
    const values = new Map<string, tf.Tensor4D>([[from, a]])
    const get = (n: string): tf.Tensor4D => values.get(n) as tf.Tensor4D
    for (const { op, run } of steps) {
      const x = get(op.inputs[0])
      let y: tf.Tensor4D
      if (run) y = run(x)
      else if (op.op === 'add') y = tf.add(x, get(op.inputs[1]))
      else if (op.op === 'pad') y = tf.pad(x, op.pad as Array<[number, number]>)
      else y = tf.clipByValue(x, 0, 6)
      values.set(op.name, y)
    }
    return get(plan.output)
  }
}

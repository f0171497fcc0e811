import { AppError } from '../../../shared/errors'
import type { PlanOp } from '../../training/backbone/inference-plan'
import type { Tape } from '../autodiff'
import type { GraphBuilder } from '../graph-builder'
import { emitConv, explicitPads, globalAveragePool, type EmittedValue } from '../plan-to-onnx'

/**
 * Input gradients for the ops of a BN-folded inference plan (training/backbone/inference-plan.ts), recorded on
 * the Tape over the forward nodes plan-to-onnx.ts writes (NCHW, weights constant, folded BN as the Conv's
 * bias, ReLU6 as Clip). For graphs differentiated with respect to activations only (the saliency graph,
 * several backward passes over one forward): no weight gradient exists here.
 *
 * Every backward step is a Conv, which ONNX Runtime runs in its blocked (NCHWc) kernels: the 1 × 1
 * convolution's input gradient is the 1 × 1 Conv by the transposed kernel, the stride-1 depthwise one's the
 * grouped Conv with the flipped kernel (the strided one a ConvTranspose). Measured for MobileNetV2's tail after
 * block_13_expand_relu plus the seed head, 4 classes (ONNX Runtime, one thread, batch 16, best of 6 runs on the
 * shared 2-core machine): 10.1–10.9 CPU-ms per image, against 13.7–14.2 for the same graph written with
 * ops/conv.ts's NHWC ops (MatMul and Transposes, ConvTranspose for every depthwise gradient, Where for ReLU6).
 */

/** Tensor element type FLOAT for Cast. */
const FLOAT = 1

/**
 * ReLU6 as Clip(0, 6) of `x` and its pass-through mask, 1 where Clip(x) = x (0 ≤ x ≤ 6), else 0, as
 * tf.clipByValue's gradient (and ops/conv.ts's relu6) has it. Inclusive matters: a channel whose inputs are
 * all clipped to 0 and whose bias is 0 has x exactly 0 (common in a randomly initialised network).
 */
function relu6Masked(g: GraphBuilder, x: string, [zero, six]: [string, string], name: string): [string, string] {
  const y = g.op('Clip', [x, zero, six], {}, name)
  return [y, g.op('Cast', [g.op('Equal', [y, x])], { to: FLOAT }, 'relu6_mask')]
}

/** dx of a 1 × 1, stride-1 convolution: the 1 × 1 Conv of dy by the transposed kernel `[in, out, 1, 1]`. */
function pointwiseBack(g: GraphBuilder, op: PlanOp): (b: GraphBuilder, gy: string) => string {
  const [, , cin, cout] = op.filterShape as number[]
  // The tfjs kernel [1, 1, in, out] holds W[i][o] at i·out + o: exactly the bytes of [in, out, 1, 1].
  const wt = g.constant(`${op.name}_Wt`, op.filter as Float32Array, [cin, cout, 1, 1])
  return (b, gy) => b.op('Conv', [gy, wt], { kernel_shape: [1, 1] }, `${op.name}_dx`)
}

/**
 * dx of a depthwise convolution (multiplier 1) with strides s and pads [t, l, b, r] from x `[N,C,h,w]` to
 * `[N,C,ho,wo]`: dx[j] = Σ_{s·i + u = j − t} dy[i]·k[u]. Stride 1: the grouped Conv of dy with the flipped
 * kernel, pads kh − 1 − t before and kh − 1 − b after. Stride > 1: the ConvTranspose of dy with the kernel,
 * same strides and pads, `output_padding` adding back the last rows/columns the stride never read
 * (h + t + b − kh − (ho − 1)·s of them), which get zero gradient. Measured in ONNX Runtime, one thread, batch
 * 16: at 960 × 7 × 7, stride 1, the flipped Conv took 2.5 CPU-ms and ConvTranspose 6.6; at 576 × 7 × 7 → 14 × 14,
 * stride 2, ConvTranspose took 5.6 and a zero-dilated dy plus Conv 11–15 (Pad, broadcast Mul or DepthToSpace).
 */
function depthwiseBack(
  g: GraphBuilder,
  op: PlanOp,
  x: EmittedValue,
  y: EmittedValue,
  pads: number[]
): (b: GraphBuilder, gy: string) => string {
  const [kh, kw, c] = op.filterShape as number[]
  const [sh, sw] = op.strides ?? [1, 1]
  const src = op.filter as Float32Array
  const [t, l, bottom, r] = pads
  const strided = sh > 1 || sw > 1
  // [C, 1, kh, kw], flipped in both spatial axes for the stride-1 Conv.
  const w = new Float32Array(src.length)
  for (let u = 0; u < kh; u++)
    for (let v = 0; v < kw; v++)
      for (let ch = 0; ch < c; ch++) {
        const [uu, vv] = strided ? [u, v] : [kh - 1 - u, kw - 1 - v]
        w[(ch * kh + uu) * kw + vv] = src[(u * kw + v) * c + ch]
      }
  const wc = g.constant(`${op.name}_Wback`, w, [c, 1, kh, kw])
  if (strided) {
    const outputPadding = [x.height + t + bottom - kh - (y.height - 1) * sh, x.width + l + r - kw - (y.width - 1) * sw]
    const attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads, group: c, output_padding: outputPadding }
    return (b, gy) => b.op('ConvTranspose', [gy, wc], attrs, `${op.name}_dx`)
  }
  const convPads = [kh - 1 - t, kw - 1 - l, kh - 1 - bottom, kw - 1 - r]
  if (convPads.some((p) => p < 0)) {
    throw new AppError('UNSUPPORTED', `depthwise op "${op.name}": pads [${pads.join(', ')}] exceed its kernel`)
  }
  const attrs = { kernel_shape: [kh, kw], pads: convPads, group: c }
  return (b, gy) => b.op('Conv', [gy, wc], attrs, `${op.name}_dx`)
}

/**
 * A 'conv' (1 × 1, stride 1) or 'depthwise' (multiplier 1, any kernel, stride and padding) plan op: its
 * forward nodes from plan-to-onnx.ts's emitConv on x `[N,C,h,w]`, and its input gradient on the tape
 * (ReLU6's mask is computed once, in the forward part, and shared by every backward pass). `clip` holds the
 * scalar constants 0 and 6. Throws UNSUPPORTED for other convolutions.
 */
export function planConv(t: Tape, op: PlanOp, x: EmittedValue, clip: [string, string]): EmittedValue {
  const g = t.g
  const [kh, kw, , last] = op.filterShape as number[]
  const [sh, sw] = op.strides ?? [1, 1]
  let back: (b: GraphBuilder, gy: string) => string
  // The convolution with its bias; the ReLU6 comes after it here, because its mask reads the value before it.
  const lin = emitConv(g, { ...op, activation: 'linear', name: `${op.name}_lin` }, x, clip)
  if (op.op === 'depthwise') {
    if (last !== 1) throw new AppError('UNSUPPORTED', `depthwise op "${op.name}" has a multiplier ≠ 1`)
    back = depthwiseBack(g, op, x, lin, explicitPads(op.pad ?? 'valid', x, kh, kw, sh, sw))
  } else {
    if (kh !== 1 || kw !== 1 || sh !== 1 || sw !== 1) {
      throw new AppError('UNSUPPORTED', `convolution op "${op.name}" is not 1 × 1 with stride 1`)
    }
    back = pointwiseBack(g, op)
  }
  const [y, mask] = op.activation === 'relu6' ? relu6Masked(g, lin.name, clip, op.name) : [lin.name, null]
  t.record(y, [x.name], (b, gy) => [back(b, mask ? b.op('Mul', [gy, mask], {}, `${op.name}_gmask`) : gy)])
  return { ...lin, name: y }
}

/** Residual Add of two same-shape values; the gradient goes to both unchanged. */
export function planAdd(t: Tape, a: EmittedValue, b: EmittedValue, name: string): EmittedValue {
  const y = t.g.op('Add', [a.name, b.name], {}, name)
  t.record(y, [a.name, b.name], (_g, gy) => [gy, gy])
  return { ...a, name: y }
}

/** Global average pooling `[N,C,h,w]` → `[N,C]`; the gradient spreads dy/(h·w) over every position. */
export function planGlobalAveragePool(t: Tape, x: EmittedValue): string {
  const y = globalAveragePool(t.g, x.name)
  t.record(y, [x.name], (b, gy) => {
    const scaled = b.op('Mul', [gy, b.constant('gap_inv', [1 / (x.height * x.width)], [])])
    const col = b.op('Reshape', [scaled, b.ints('shape', [0, x.channels, 1, 1])])
    return [b.op('Expand', [col, b.op('Shape', [x.name])], {}, 'gap_dx')]
  })
  return y
}

import type { Tape } from '../autodiff'

/**
 * Differentiable convolution-block ops for the stage-2 training graph (MobileNetV2's top blocks at 7×7),
 * each writing its forward nodes into the tape's graph and recording the hand-derived backward pass.
 *
 * Layout: activations are NHWC `[batch, h, w, C]`, as tfjs keeps them, so a 1×1 convolution is one plain
 * 2-D MatMul over `[batch·h·w, C]` (the GEMM ONNX Runtime runs near the machine's peak) and its weight
 * gradient is one Gemm with transA, with no activation transposes. Only the depthwise 3×3 goes to NCHW,
 * because ONNX's grouped Conv is NCHW-only. Weights enter in tfjs' layout (`[1, 1, in, out]`,
 * `[3, 3, C, 1]`, `[C]`), so the caller reads and writes them back without reordering.
 * Static sizes: h, w and channel counts are fixed per op; the batch dimension is symbolic.
 */

/** A value in the graph with its static NHWC shape (batch left out). */
export interface Feature {
  name: string
  h: number
  w: number
  c: number
}

/** 1×1 convolution without bias (MobileNetV2's expand/project/Conv_1): `[N,h,w,in]`·`[1,1,in,out]`. */
export function pointwiseConv(t: Tape, x: Feature, kernel: string, cout: number): Feature {
  const g = t.g
  const { h, w, c: cin } = x
  const x2d = g.op('Reshape', [x.name, g.ints('shape', [-1, cin])], {}, 'pw_x2d')
  const k2d = g.op('Reshape', [kernel, g.ints('shape', [cin, cout])], {}, 'pw_k2d')
  const y2d = g.op('MatMul', [x2d, k2d], {}, 'pw_y2d')
  const y = g.op('Reshape', [y2d, g.ints('shape', [-1, h, w, cout])], {}, 'pw')
  t.record(y, [x.name, kernel], (b, gy, needs) => {
    const gy2d = b.op('Reshape', [gy, b.ints('shape', [-1, cout])], {}, 'pw_gy2d')
    // dx = dy·Kᵀ, dK = xᵀ·dy: Gemm's trans flags avoid materialising either transpose.
    const dx = needs[0]
      ? b.op('Reshape', [b.op('Gemm', [gy2d, k2d], { transB: 1 }), b.ints('shape', [-1, h, w, cin])], {}, 'pw_dx')
      : null
    const dk = needs[1]
      ? b.op('Reshape', [b.op('Gemm', [x2d, gy2d], { transA: 1 }), b.ints('shape', [1, 1, cin, cout])], {}, 'pw_dk')
      : null
    return [dx, dk]
  })
  return { name: y, h, w, c: cout }
}

/**
 * Depthwise 3×3 convolution, stride 1, 'same' padding, multiplier 1, no bias: `[N,h,w,C]` with kernel
 * `[3,3,C,1]`. Forward and input gradient are grouped Convs (the input gradient is the ConvTranspose of
 * the same kernel, i.e. the correlation with the flipped kernel). The kernel gradient is one grouped Conv
 * over the batch: with x as `[1, C·N, h, w]` (channel-major) and dy as a `[C, N, h, w]` kernel, group C,
 * output `[1, C, 3, 3]` is Σₙ,ᵢ,ⱼ x[n,c,i+a−1,j+b−1]·dy[n,c,i,j].
 * Measured against nine shifted multiply-adds in NHWC (Pad, Slice, Mul, Sum; ReduceSum for the kernel
 * gradient), which need no transposes: the grouped Convs cost 7 % fewer CPU-seconds per image over the whole
 * top 30 + head step (batch 32, one thread), because the taps are nine memory-bound passes per product.
 */
export function depthwiseConv3x3(t: Tape, x: Feature, kernel: string): Feature {
  const g = t.g
  const { h, w, c } = x
  const conv = { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: c }
  const kc = g.op('Transpose', [kernel], { perm: [2, 3, 0, 1] }, 'dw_kc') // [C,1,3,3]
  const xc = g.op('Transpose', [x.name], { perm: [0, 3, 1, 2] }, 'dw_xc')
  const yc = g.op('Conv', [xc, kc], conv, 'dw_yc')
  const y = g.op('Transpose', [yc], { perm: [0, 2, 3, 1] }, 'dw')
  t.record(y, [x.name, kernel], (b, gy, needs) => {
    const gyc = b.op('Transpose', [gy], { perm: [0, 3, 1, 2] }, 'dw_gyc')
    const dx = needs[0]
      ? b.op('Transpose', [b.op('ConvTranspose', [gyc, kc], conv, 'dw_dxc')], { perm: [0, 2, 3, 1] }, 'dw_dx')
      : null
    let dk: string | null = null
    if (needs[1]) {
      // From the NCHW copies already made, [N,C,h,w] → [C,N,h,w] moves whole h·w planes (cheap).
      const xg = b.op(
        'Reshape',
        [b.op('Transpose', [xc], { perm: [1, 0, 2, 3] }), b.ints('shape', [1, -1, h, w])],
        {},
        'dw_xg'
      )
      const wg = b.op('Transpose', [gyc], { perm: [1, 0, 2, 3] }, 'dw_gyk') // [C,N,h,w]
      const dkc = b.op('Conv', [xg, wg], { kernel_shape: [h, w], pads: [1, 1, 1, 1], group: c }, 'dw_dkc')
      // [1,C,3,3] → [3,3,C,1]
      dk = b.op('Transpose', [dkc], { perm: [2, 3, 1, 0] }, 'dw_dk')
    }
    return [dx, dk]
  })
  return { name: y, h, w, c }
}

/** Per-channel constants of an inference-mode BatchNormalization (moving statistics stay fixed). */
export interface BatchNormStats {
  movingMean: Float32Array
  movingVariance: Float32Array
  epsilon: number
}

/**
 * BatchNormalization in inference mode with trainable γ and β (`[C]` each): y = (x − μ)·γ/√(σ²+ε) + β,
 * written as x·s + (β − μ·s) with s = γ/√(σ²+ε) so the big tensor sees one Mul and one Add.
 * dγ = Σ dy·(x − μ)/√(σ²+ε) = r·(Σ dy·x − μ·Σ dy), dβ = Σ dy, dx = dy·s (sums over batch, h, w).
 */
export function batchNormInference(t: Tape, x: Feature, gamma: string, beta: string, stats: BatchNormStats): Feature {
  const g = t.g
  const r = Float32Array.from(stats.movingVariance, (v) => 1 / Math.sqrt(v + stats.epsilon))
  const rc = g.constant('bn_r', r, [x.c])
  const mu = g.constant('bn_mu', stats.movingMean, [x.c])
  const s = g.op('Mul', [gamma, rc], {}, 'bn_s')
  const shift = g.op('Sub', [beta, g.op('Mul', [mu, s])], {}, 'bn_shift')
  const y = g.op('Add', [g.op('Mul', [x.name, s]), shift], {}, 'bn')
  t.record(y, [x.name, gamma, beta], (b, gy, needs) => {
    const axes = needs[1] || needs[2] ? b.ints('axes', [0, 1, 2]) : ''
    const sumDy = axes ? b.op('ReduceSum', [gy, axes], { keepdims: 0 }, 'bn_sdy') : ''
    const dx = needs[0] ? b.op('Mul', [gy, s], {}, 'bn_dx') : null
    const dgamma = needs[1]
      ? b.op(
          'Mul',
          [
            b.op('Sub', [
              b.op('ReduceSum', [b.op('Mul', [gy, x.name]), axes], { keepdims: 0 }),
              b.op('Mul', [mu, sumDy])
            ]),
            rc
          ],
          {},
          'bn_dgamma'
        )
      : null
    return [dx, dgamma, needs[2] ? sumDy : null]
  })
  return { ...x, name: y }
}

/**
 * ReLU6 as Clip(0, 6); its gradient passes where 0 < x < 6 (TensorFlow's Relu6Grad). The mask is written
 * as Clip(x) = x (two passes over the tensor instead of Greater, Less, And): it differs from TensorFlow's
 * only where x is exactly 0 or 6, where the derivative is undefined anyway.
 */
export function relu6(t: Tape, x: Feature): Feature {
  const g = t.g
  const zero = g.constant('zero', [0], [])
  const six = g.constant('six', [6], [])
  const y = g.op('Clip', [x.name, zero, six], {}, 'relu6')
  t.record(y, [x.name], (b, gy) => {
    const inside = b.op('Equal', [y, x.name], {}, 'relu6_in')
    return [b.op('Where', [inside, gy, zero], {}, 'relu6_dx')]
  })
  return { ...x, name: y }
}

/** Residual Add of two same-shape features; the gradient goes to both unchanged. */
export function residualAdd(t: Tape, a: Feature, b: Feature): Feature {
  const y = t.g.op('Add', [a.name, b.name], {}, 'res')
  t.record(y, [a.name, b.name], (_g, gy) => [gy, gy])
  return { ...a, name: y }
}

/** Global average pooling `[N,h,w,C]` → `[N,C]`; the gradient spreads dy/(h·w) over every position. */
export function globalAveragePool(t: Tape, x: Feature): string {
  const g = t.g
  const y = g.op('ReduceMean', [x.name], { axes: [1, 2], keepdims: 0 }, 'gap')
  t.record(y, [x.name], (b, gy) => {
    const scaled = b.op('Mul', [gy, b.constant('gap_inv', [1 / (x.h * x.w)], [])])
    const col = b.op('Reshape', [scaled, b.ints('shape', [-1, 1, 1, x.c])])
    return [b.op('Expand', [col, b.op('Shape', [x.name])], {}, 'gap_dx')]
  })
  return y
}

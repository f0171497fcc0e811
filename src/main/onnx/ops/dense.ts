import type { Tape } from '../autodiff'

/**
 * Differentiable ops on rank-2 activations `[batch, features]` for training graphs: each emits its forward
 * nodes with the Tape's GraphBuilder and records the rule that writes its backward nodes, so a graph built
 * from these ops gets every parameter gradient from `tape.gradients(loss, params)`. Convolution ops live
 * beside these (ops/conv.ts) on the same Tape. Value names are ONNX value names; shapes are in the JSDoc.
 */

const AXIS0 = 'axis0'

/** The int64 `[0]` axes input of ReduceSum/ReduceMean (opset 13+/18 take axes as an input). */
function axis0(t: Tape): string {
  return t.g.ints(AXIS0, [0])
}

/** Σ over the batch axis: `[N, C]` → `[C]`. */
function sumRows(t: Tape, x: string): string {
  return t.g.op('ReduceSum', [x, axis0(t)], { keepdims: 0 }, 'sum_rows')
}

/** Mean over the batch axis keeping it: `[N, C]` → `[1, C]`. ReduceMean takes `axes` as an attribute in opset 17. */
function meanRows(t: Tape, x: string): string {
  return t.g.op('ReduceMean', [x], { axes: [0], keepdims: 1 }, 'mean_rows')
}

/**
 * `x·w + b`: x `[N, I]`, w `[I, O]`, optional b `[O]` → `[N, O]` (ONNX Gemm). Gradients: dx = dy·wᵀ,
 * dw = xᵀ·dy, db = Σ_rows dy, each written as a Gemm with a transpose flag (no Transpose node).
 */
export function matMul(t: Tape, x: string, w: string, b?: string): string {
  const inputs = b ? [x, w, b] : [x, w]
  const y = t.g.op('Gemm', inputs, {}, 'dense')
  return t.record(y, inputs, (g, gy, needs) => [
    needs[0] ? g.op('Gemm', [gy, w], { transB: 1 }, 'grad_dense_x') : null,
    needs[1] ? g.op('Gemm', [x, gy], { transA: 1 }, 'grad_dense_w') : null,
    b && needs[2] ? sumRows(t, gy) : null
  ])
}

/** max(x, 0), any shape. Gradient: dy where y > 0, else 0. */
export function relu(t: Tape, x: string): string {
  const y = t.g.op('Relu', [x])
  return t.record(y, [x], (g, gy) => {
    const zero = g.constant('zero', [0], [])
    return [g.op('Where', [g.op('Greater', [y, zero]), gy, zero], {}, 'grad_relu')]
  })
}

/**
 * Dropout with a mask made outside the graph: `x ⊙ mask`, where mask (same shape as x) holds 0 for a dropped
 * unit and 1/(1 − rate) for a kept one (inverted dropout, as Keras), so the same graph serves every step
 * and the masks stay reproducible from the run's seed. Gradient: dy ⊙ mask.
 */
export function dropout(t: Tape, x: string, mask: string): string {
  const y = t.g.op('Mul', [x, mask], {}, 'dropout')
  return t.record(y, [x, mask], (g, gy, needs) => [needs[0] ? g.op('Mul', [gy, mask], {}, 'grad_dropout') : null, null])
}

/** What batchNormTrain produces. */
export interface BatchNormTrainOut {
  /** Normalised output `[N, C]`. */
  y: string
  /** Batch mean `[C]` (for the moving-mean update outside the graph). */
  mean: string
  /** Biased batch variance `[C]` (as Keras and tfjs feed the moving-variance update). */
  variance: string
}

/**
 * BatchNormalization in training mode over axis 0 of x `[N, C]`: x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β,
 * with the batch's own mean and biased variance. The moving statistics are not touched here: the graph
 * outputs μ_B and σ²_B so the caller applies Keras' update (momentum) to the arrays it holds.
 * Gradients: dγ = Σ dy·x̂, dβ = Σ dy, dx = (1/√(σ²+ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·γ.
 */
export function batchNormTrain(t: Tape, x: string, gamma: string, beta: string, epsilon: number): BatchNormTrainOut {
  const g = t.g
  const mean = meanRows(t, x)
  const centred = g.op('Sub', [x, mean], {}, 'bn_centred')
  const variance = meanRows(t, g.op('Mul', [centred, centred]))
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.constant('bn_eps', [epsilon], [])])])])
  const xhat = g.op('Mul', [centred, inv], {}, 'bn_xhat')
  const y = g.op('Add', [g.op('Mul', [xhat, gamma]), beta], {}, 'bn')
  t.record(y, [x, gamma, beta], (gb, gy, needs) => {
    let dx: string | null = null
    if (needs[0]) {
      const dxhat = gb.op('Mul', [gy, gamma])
      const inner = gb.op('Sub', [
        gb.op('Sub', [dxhat, meanRows(t, dxhat)]),
        gb.op('Mul', [xhat, meanRows(t, gb.op('Mul', [dxhat, xhat]))])
      ])
      dx = gb.op('Mul', [inner, inv], {}, 'grad_bn_x')
    }
    return [dx, needs[1] ? sumRows(t, gb.op('Mul', [gy, xhat])) : null, needs[2] ? sumRows(t, gy) : null]
  })
  const flat = (v: string, stem: string): string => g.op('Squeeze', [v, axis0(t)], {}, stem)
  return { y, mean: flat(mean, 'bn_batch_mean'), variance: flat(variance, 'bn_batch_var') }
}

/**
 * BatchNormalization in inference mode: y = γ·(x − moving_mean)/√(moving_var + ε) + β, x `[N, C]`, the
 * statistics `[C]` as inputs. Differentiable in x, γ and β (the statistics are constants of the step).
 */
export function batchNormInfer(
  t: Tape,
  x: string,
  gamma: string,
  beta: string,
  movingMean: string,
  movingVariance: string,
  epsilon: number
): string {
  const g = t.g
  const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [movingVariance, g.constant('bn_eps', [epsilon], [])])])])
  const xhat = g.op('Mul', [g.op('Sub', [x, movingMean]), inv], {}, 'bn_xhat')
  const y = g.op('Add', [g.op('Mul', [xhat, gamma]), beta], {}, 'bn')
  return t.record(y, [x, gamma, beta], (gb, gy, needs) => [
    needs[0] ? gb.op('Mul', [gy, gb.op('Mul', [gamma, inv])], {}, 'grad_bn_x') : null,
    needs[1] ? sumRows(t, gb.op('Mul', [gy, xhat])) : null,
    needs[2] ? sumRows(t, gy) : null
  ])
}

/** Keras' clip of probabilities before the log. */
const PROB_EPSILON = 1e-7

/** What softmaxCrossEntropy produces. */
export interface SoftmaxLossOut {
  /** Scalar: mean over the batch of weight_i · (−Σ_k y_ik · log clip(p_ik, ε, 1 − ε)), nats. */
  loss: string
  /** Softmax probabilities `[N, K]`. */
  probs: string
}

/**
 * Softmax + categorical cross-entropy with one-hot targets `[N, K]` and per-sample weights `[N]` (class
 * weights looked up per row; all 1 without class weights), mean over the batch, as Keras computes it from
 * probabilities. Gradient to the logits: (p − y)·w_i/N, the exact derivative wherever p is not clipped
 * (Keras/TF backpropagate the same through their fused softmax cross-entropy).
 */
export function softmaxCrossEntropy(t: Tape, logits: string, oneHot: string, weights: string): SoftmaxLossOut {
  const g = t.g
  const probs = g.op('Softmax', [logits], { axis: -1 }, 'probs')
  const clipped = g.op('Clip', [
    probs,
    g.constant('p_lo', [PROB_EPSILON], []),
    g.constant('p_hi', [1 - PROB_EPSILON], [])
  ])
  const perSample = g.op('Neg', [
    g.op('ReduceSum', [g.op('Mul', [oneHot, g.op('Log', [clipped])]), g.ints('axis1', [1])], { keepdims: 0 })
  ])
  const loss = g.op('ReduceMean', [g.op('Mul', [perSample, weights])], { keepdims: 0 }, 'loss')
  t.record(loss, [logits], (gb, gy) => {
    const n = gb.op('Cast', [gb.op('Shape', [logits], { start: 0, end: 1 })], { to: 1 })
    const scale = gb.op('Div', [gb.op('Unsqueeze', [weights, gb.ints('axis1', [1])]), n])
    return [gb.op('Mul', [gb.op('Mul', [gb.op('Sub', [probs, oneHot]), scale]), gy], {}, 'grad_logits')]
  })
  return { loss, probs }
}

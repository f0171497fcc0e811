import * as tf from '@tensorflow/tfjs'

/** Kernels at least this large skip XNNPACK's per-call weight packing in training (see below). */
const TRANSPOSED_FORWARD_MIN = 65_536

/** x·W for a W that changed since the last call: (Wᵀ·xᵀ)ᵀ for large W, so only the small x is packed. */
export function matMulChangedWeights(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return w.size >= TRANSPOSED_FORWARD_MIN ? tf.transpose(tf.matMul(tf.transpose(w), tf.transpose(x))) : tf.matMul(x, w)
}

/** dy·Wᵀ as (W·dyᵀ)ᵀ: no transposeB flag, and the big W stays the left operand (never repacked). */
export function matMulByTransposed(dy: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.transpose(tf.matMul(w, tf.transpose(dy)))
}

/** xᵀ·dy with an explicit transpose of the small x instead of the transposeA flag. */
export function matMulTransposedBy(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.transpose(x), dy)
}

function gradient(dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] {
  const [x, w] = saved as tf.Tensor2D[]
  const g = dy as tf.Tensor2D
  return [matMulByTransposed(g, w), matMulTransposedBy(x, g)]
}

/**
 * x·W for training on tfjs-backend-wasm 4.22, where the stock op is slow in two ways:
 * - matMul's gradient uses transposeA/transposeB, which wasm runs on a naive path (measured 58–67 ms
 *   instead of 4–6 ms for 32×1280×512); that made the backward pass 15× slower than the forward.
 * - XNNPACK packs the right operand into its GEMM layout on every call once it has changed, which
 *   it does after every optimizer step (~4 ms for a 1280×512 kernel). For large kernels the forward
 *   is computed as (Wᵀ·xᵀ)ᵀ instead, where only the small batch matrix is packed.
 * The results are the same products, so the numbers match layer.apply up to float rounding.
 */
const matMulForTraining = tf.customGrad((x, w, save) => {
  const a = x as tf.Tensor2D
  const b = w as tf.Tensor2D
  const keepForGradient = save as tf.GradSaveFunc
  keepForGradient([a, b])
  return { value: matMulChangedWeights(a, b), gradFunc: gradient }
})

const ACTIVATIONS: Record<string, ((t: tf.Tensor) => tf.Tensor) | undefined> = {
  linear: (t) => t,
  relu: (t) => tf.relu(t),
  softmax: (t) => tf.softmax(t)
}

/**
 * A forward function for a built Dense layer on rank-2 input computing what the layer computes,
 * activation(x·kernel + bias), with the faster training matMul above (inference uses plain matMul,
 * whose packed weights XNNPACK caches while they do not change). Returns null when the layer is not
 * a plain Dense (other activation, constraints) and must run through layer.apply.
 */
export function fastDense(layer: tf.layers.Layer): ((x: tf.Tensor, training: boolean) => tf.Tensor) | null {
  if (layer.getClassName() !== 'Dense') return null
  const cfg = layer.getConfig()
  const activation = ACTIVATIONS[String(cfg.activation)]
  if (!activation || cfg.kernelConstraint || cfg.biasConstraint) return null
  const kernel = layer.weights.find((w) => w.originalName.endsWith('/kernel'))
  const bias = layer.weights.find((w) => w.originalName.endsWith('/bias'))
  if (!kernel || (cfg.useBias !== false && !bias)) return null
  return (x, training) => {
    if (x.rank !== 2) return layer.apply(x, { training }) as tf.Tensor
    const y = training ? matMulForTraining(x, kernel.read()) : tf.matMul(x as tf.Tensor2D, kernel.read() as tf.Tensor2D)
    return activation(bias ? tf.add(y, bias.read()) : y)
  }
}

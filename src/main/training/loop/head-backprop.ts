import * as tf from '@tensorflow/tfjs'
import { matMulByTransposed, matMulChangedWeights, matMulTransposedBy } from './fast-dense'
import { deriveSeed } from './random'

/** What one explicit training step of the head produces (all owned by the caller). */
export interface HeadStepResult {
  /** Mean (sample-weighted) categorical cross-entropy of the batch, nats. */
  loss: tf.Scalar
  /** Softmax output `[b, K]` of the training-mode forward pass. */
  probs: tf.Tensor2D
  /** Gradient of `loss` for every trainable variable, keyed by variable name. */
  grads: tf.NamedTensorMap
}

/** Forward + loss + gradients of a head on one batch. */
export type HeadStep = (
  x: tf.Tensor,
  oneHot: tf.Tensor2D,
  sampleWeights: tf.Tensor1D | undefined,
  stepSeed: number
) => HeadStepResult

/** A layer's forward (training mode) returning what its backward needs. */
interface Op {
  forward(x: tf.Tensor2D, stepSeed: number): { y: tf.Tensor2D; back: Backward }
}

/** dy → dx (null when no upstream layer needs it), adding weight gradients to `grads`. */
type Backward = (dy: tf.Tensor2D, needDx: boolean, grads: tf.NamedTensorMap) => tf.Tensor2D | null

function weight(layer: tf.layers.Layer, suffix: string): tf.LayerVariable | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))
}

function addGrad(grads: tf.NamedTensorMap, v: tf.LayerVariable, g: tf.Tensor): void {
  // A frozen layer's weights get no gradient (and so no optimizer update).
  if (v.trainable) grads[(v.read() as tf.Variable).name] = g
}

function denseOp(layer: tf.layers.Layer, last: boolean): Op | null {
  const cfg = layer.getConfig()
  const activation = String(cfg.activation)
  const kernel = weight(layer, 'kernel')
  const bias = weight(layer, 'bias')
  const ok = last ? activation === 'softmax' : activation === 'relu' || activation === 'linear'
  if (!ok || !kernel || !bias || cfg.kernelConstraint || cfg.biasConstraint) return null
  return {
    forward(x) {
      const w = kernel.read() as tf.Tensor2D
      // The wasm-friendly products of fast-dense.ts (W changes every step).
      const z = tf.add(matMulChangedWeights(x, w), bias.read()) as tf.Tensor2D
      // The softmax of the last layer is folded into the loss gradient (p − y).
      const y = last || activation === 'linear' ? z : tf.relu(z)
      const back: Backward = (dy, needDx, grads) => {
        const dz = activation === 'relu' ? tf.mul(dy, tf.step(y)) : dy
        addGrad(grads, kernel, matMulTransposedBy(x, dz as tf.Tensor2D))
        addGrad(grads, bias, tf.sum(dz, 0))
        return needDx ? matMulByTransposed(dz as tf.Tensor2D, w) : null
      }
      return { y: y as tf.Tensor2D, back }
    }
  }
}

function batchNormOp(layer: tf.layers.Layer): Op | null {
  const cfg = layer.getConfig()
  const gamma = weight(layer, 'gamma')
  const beta = weight(layer, 'beta')
  const movingMean = weight(layer, 'moving_mean')
  const movingVariance = weight(layer, 'moving_variance')
  const axis = Array.isArray(cfg.axis) ? cfg.axis : [cfg.axis]
  if (!gamma || !beta || !movingMean || !movingVariance || axis.length !== 1 || ![-1, 1].includes(Number(axis[0]))) {
    return null
  }
  const epsilon = Number(cfg.epsilon)
  const momentum = Number(cfg.momentum)
  return {
    forward(x) {
      const n = x.shape[0]
      const mean = tf.mean(x, 0)
      const centred = tf.sub(x, mean)
      const variance = tf.mean(tf.square(centred), 0)
      const inv = tf.rsqrt(tf.add(variance, epsilon))
      const xhat = tf.mul(centred, inv)
      const y = tf.add(tf.mul(xhat, gamma.read()), beta.read()) as tf.Tensor2D
      // Same moving-average update as the tfjs/Keras layer in training mode (biased batch variance).
      movingMean.write(tf.add(tf.mul(movingMean.read(), momentum), tf.mul(mean, 1 - momentum)))
      movingVariance.write(tf.add(tf.mul(movingVariance.read(), momentum), tf.mul(variance, 1 - momentum)))
      const back: Backward = (dy, needDx, grads) => {
        addGrad(grads, gamma, tf.sum(tf.mul(dy, xhat), 0))
        addGrad(grads, beta, tf.sum(dy, 0))
        if (!needDx) return null
        // dx = (inv/n)·(n·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), dx̂ = dy·γ
        const dxhat = tf.mul(dy, gamma.read())
        const inner = tf.sub(tf.sub(tf.mul(dxhat, n), tf.sum(dxhat, 0)), tf.mul(xhat, tf.sum(tf.mul(dxhat, xhat), 0)))
        return tf.mul(inner, tf.div(inv, n)) as tf.Tensor2D
      }
      return { y, back }
    }
  }
}

function dropoutOp(layer: tf.layers.Layer, index: number): Op {
  const rate = Number(layer.getConfig().rate)
  return {
    forward(x, stepSeed) {
      if (!(rate > 0)) return { y: x, back: (dy, needDx) => (needDx ? dy : null) }
      // The mask tf.dropout draws for the same seed, so this path and the tape path agree.
      const keep = 1 - rate
      const mask = tf.div(
        tf.floor(tf.add(tf.randomUniform(x.shape, 0, 1, 'float32', deriveSeed(stepSeed, 'dropout', index)), keep)),
        keep
      )
      return {
        y: tf.mul(x, mask) as tf.Tensor2D,
        back: (dy, needDx) => (needDx ? (tf.mul(dy, mask) as tf.Tensor2D) : null)
      }
    }
  }
}

/**
 * Compiles a chain head (BatchNormalization, Dense with ReLU/linear, Dropout, and a final softmax
 * Dense) into one training step with hand-written backpropagation, or returns null for any other
 * layer mix (the caller then uses tf.variableGrads). Why: under the gradient tape the seed head
 * runs ~260 kernels per step (85 of them tape clones) and each tfjs kernel costs ~45 µs of fixed
 * overhead on wasm here; this path runs about a third as many for the same gradients. Dropout
 * masks derive from (stepSeed, layer index) exactly as in target.ts, and the loss gradient of
 * softmax + cross-entropy is the exact (p − y)·w/b (Keras/TF compute it the same way).
 */
export function compileHeadStep(layers: readonly tf.layers.Layer[]): HeadStep | null {
  const ops: Op[] = []
  for (const [i, layer] of layers.entries()) {
    const kind = layer.getClassName()
    const op =
      kind === 'Dense'
        ? denseOp(layer, i === layers.length - 1)
        : kind === 'BatchNormalization'
          ? batchNormOp(layer)
          : kind === 'Dropout'
            ? dropoutOp(layer, i)
            : null
    if (!op) return null
    ops.push(op)
  }
  if (layers.at(-1)?.getClassName() !== 'Dense') return null
  // dx of layer i is only needed when a layer before it has trainable weights.
  const needDx = layers.map((_, i) => layers.slice(0, i).some((l) => l.trainableWeights.length > 0))

  return (x, oneHot, sampleWeights, stepSeed) => {
    const out = tf.tidy(() => {
      const backs: Backward[] = []
      let t = x as tf.Tensor2D
      for (const op of ops) {
        const r = op.forward(t, stepSeed)
        backs.push(r.back)
        t = r.y
      }
      const probs = tf.softmax(t)
      const n = x.shape[0]
      const perSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1 - 1e-7))), -1))
      const loss = tf.mean(sampleWeights ? tf.mul(perSample, sampleWeights) : perSample) as tf.Scalar
      const residual = tf.sub(probs, oneHot)
      let dy: tf.Tensor2D | null = tf.div(
        sampleWeights ? tf.mul(residual, tf.expandDims(sampleWeights, 1)) : residual,
        n
      ) as tf.Tensor2D
      const grads: tf.NamedTensorMap = {}
      for (let i = backs.length - 1; i >= 0 && dy; i--) dy = backs[i](dy, needDx[i], grads)
      return { loss, probs, grads }
    })
    return out as HeadStepResult
  }
}

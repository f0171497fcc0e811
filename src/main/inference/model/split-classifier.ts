import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { matMulByTransposed } from '../../training/loop/fast-dense'

/** A loaded classifier split at its backbone's last convolutional block, for inference and Grad-CAM. */
export interface SplitClassifier {
  /** image `[b, s, s, 3]` → feature map A `[b, h, w, C]`: the model's own layers up to the feature layer. */
  features: tf.LayersModel
  /**
   * A `[b, h, w, C]` → class scores `[b, K]` before softmax: global average pooling and the head, in inference
   * mode (dropout off, batch normalisation with its moving statistics). Differentiable with tf.grad; images
   * of a batch do not interact, so the gradient of a sum of per-image scores is each image's own gradient.
   */
  logits: (a: tf.Tensor4D) => tf.Tensor2D
  /**
   * The same after global average pooling: pooled features g `[b, C]` → class scores `[b, K]`; null when the
   * layer after the feature layer is not a GlobalAveragePooling2D.
   */
  pooledLogits: ((g: tf.Tensor2D) => tf.Tensor2D) | null
  /** The layers after the feature layer, in order (GAP, head…, softmax output): classifierChain's `chain`. */
  chain: readonly tf.layers.Layer[]
  /** `[h, w, C]` of the feature map. */
  featureShape: [number, number, number]
  /** Classes (output units). */
  numClasses: number
  /** Frees the constant tensors the head functions hold (the model's own weights stay the model's). */
  dispose(): void
}

type Step = (x: tf.Tensor) => tf.Tensor

/**
 * x·W whose gradient with respect to x is computed as (W·dyᵀ)ᵀ: tfjs-backend-wasm 4.22 runs matMul with
 * transposeB on a naive path (about 10× slower, see training/loop/fast-dense.ts). W is a constant here.
 */
function denseMatMul(w: tf.Tensor2D): (x: tf.Tensor2D) => tf.Tensor2D {
  return tf.customGrad((x, save) => {
    ;(save as tf.GradSaveFunc)([x as tf.Tensor2D])
    return {
      value: tf.matMul(x as tf.Tensor2D, w),
      gradFunc: (dy: tf.Tensor) => matMulByTransposed(dy as tf.Tensor2D, w)
    }
  }) as (x: tf.Tensor2D) => tf.Tensor2D
}

/** A layer's weight by its short Keras name ('kernel', 'moving_mean', …), or null. */
export function weightOf(layer: tf.layers.Layer, suffix: string): tf.Tensor | null {
  const i = layer.weights.findIndex((w) => w.originalName.split('/').pop()?.replace(/:\d+$/, '') === suffix)
  return i < 0 ? null : layer.getWeights()[i]
}

/** One head layer as an eager, differentiable inference step; `last` drops a final softmax (scores are logits). */
function stepOf(layer: tf.layers.Layer, last: boolean, owned: tf.Tensor[], what: string): Step {
  const cls = layer.getClassName()
  const cfg = layer.getConfig() as Record<string, unknown>
  if (cls === 'GlobalAveragePooling2D') return (x) => tf.mean(x, [1, 2])
  if (cls === 'Dropout' || cls === 'GaussianNoise' || cls === 'GaussianDropout' || cls === 'AlphaDropout') {
    return (x) => x
  }
  if (cls === 'BatchNormalization' && (cfg.axis === -1 || cfg.axis === 1)) {
    // Inference mode is an affine map per feature: y = x·s + t with s = γ/√(σ²+ε), t = β − μ·s.
    const mean = weightOf(layer, 'moving_mean')
    const variance = weightOf(layer, 'moving_variance')
    if (!mean || !variance) throw new AppError('CORRUPT', `${what}: layer "${layer.name}" has no moving statistics`)
    const gamma = weightOf(layer, 'gamma')
    const beta = weightOf(layer, 'beta')
    const [s, t] = tf.tidy(() => {
      const scale = tf.div(gamma ?? tf.onesLike(mean), tf.sqrt(tf.add(variance, Number(cfg.epsilon ?? 1e-3))))
      return [scale, tf.sub(beta ?? tf.zerosLike(mean), tf.mul(mean, scale))]
    })
    owned.push(s, t)
    return (x) => tf.add(tf.mul(x, s), t)
  }
  if (cls === 'Dense') {
    const kernel = weightOf(layer, 'kernel') as tf.Tensor2D | null
    if (!kernel) throw new AppError('CORRUPT', `${what}: dense layer "${layer.name}" has no kernel`)
    const bias = weightOf(layer, 'bias')
    const matMul = denseMatMul(kernel)
    const activation = String(cfg.activation ?? 'linear')
    const act: Step | null =
      activation === 'linear' || (last && activation === 'softmax')
        ? (x) => x
        : activation === 'relu'
          ? (x) => tf.relu(x)
          : activation === 'sigmoid'
            ? (x) => tf.sigmoid(x)
            : activation === 'tanh'
              ? (x) => tf.tanh(x)
              : null
    if (!act || (last && activation !== 'softmax')) {
      throw new AppError(
        'UNSUPPORTED',
        `${what}: dense layer "${layer.name}" has activation "${activation}"; a classifier head must end in softmax and use linear, relu, sigmoid or tanh before it`
      )
    }
    return (x) => act(bias ? tf.add(matMul(x as tf.Tensor2D), bias) : matMul(x as tf.Tensor2D))
  }
  if (last && cls === 'Activation' && cfg.activation === 'softmax') return (x) => x
  if (last) {
    throw new AppError(
      'UNSUPPORTED',
      `${what}: the last layer "${layer.name}" (${cls}) is not a softmax classifier output`
    )
  }
  // Anything else runs as the layer itself: correct and differentiable, only slower.
  return (x) => layer.apply(x, { training: false }) as tf.Tensor
}

/** A classifier cut at its feature layer: the layer, its `[h, w, C]` output and the chain of layers after it. */
export interface ClassifierChain {
  cut: tf.layers.Layer
  featureShape: [number, number, number]
  /** The layers from the one after `cut` to the output layer, in order (GAP, head…, softmax output). */
  chain: tf.layers.Layer[]
}

/**
 * Finds `featureLayer` in a classifier (input → probabilities) and the single chain of layers after it.
 * Shared by the Grad-CAM split and the ONNX export, so both read a model the same way.
 * @throws AppError CORRUPT when the layer is missing, is not a feature map, or the rest is not a chain.
 */
export function classifierChain(model: tf.LayersModel, featureLayer: string, what: string): ClassifierChain {
  let cut: tf.layers.Layer
  try {
    cut = model.getLayer(featureLayer)
  } catch {
    throw new AppError('CORRUPT', `${what}: has no layer "${featureLayer}" (the model card's featureLayer)`)
  }
  const shape = (cut.outputShape as (number | null)[]) ?? []
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    throw new AppError('CORRUPT', `${what}: layer "${featureLayer}" does not output a [batch, h, w, C] feature map`)
  }
  // A layer shared with another model (a head composed in memory) has a node per model: use this model's.
  const members = new Set(model.layers)
  const consumers = new Map<tf.layers.Layer, tf.layers.Layer[]>()
  for (const l of model.layers) {
    const node = l.inboundNodes.find((n) => n.inboundLayers.every((from) => members.has(from)))
    for (const from of node?.inboundLayers ?? []) consumers.set(from, [...(consumers.get(from) ?? []), l])
  }
  const outLayer = model.outputs[0].sourceLayer
  const chain: tf.layers.Layer[] = []
  for (let at = cut; at !== outLayer;) {
    const next = consumers.get(at) ?? []
    if (next.length !== 1) {
      throw new AppError(
        'CORRUPT',
        `${what}: layer "${at.name}" feeds ${next.length} layers; the part after "${featureLayer}" must be a single chain`
      )
    }
    at = next[0]
    chain.push(at)
  }
  if (chain.length === 0)
    throw new AppError('CORRUPT', `${what}: "${featureLayer}" is the output layer; there is no head`)
  return { cut, chain, featureShape: [shape[1] as number, shape[2] as number, shape[3] as number] }
}

/**
 * Splits a loaded classifier (input → probabilities) at `featureLayer`: a model up to that layer, and the
 * rest (a single chain of layers, GAP → head) as a differentiable function from the feature map to logits.
 * `what` names the model in errors.
 * @throws AppError CORRUPT when the layer is missing or the rest is not a chain; UNSUPPORTED when the model
 * does not end in softmax.
 */
export function splitClassifier(model: tf.LayersModel, featureLayer: string, what: string): SplitClassifier {
  const { cut, chain, featureShape } = classifierChain(model, featureLayer, what)
  const owned: tf.Tensor[] = []
  const steps = chain.map((l, i) => stepOf(l, i === chain.length - 1, owned, what))
  const features = tf.model({
    inputs: model.inputs,
    outputs: cut.output as tf.SymbolicTensor,
    name: `${model.name}_features`
  })
  const numClasses = model.outputs[0].shape[1] as number
  const run = (from: number, x: tf.Tensor): tf.Tensor2D =>
    steps.slice(from).reduce<tf.Tensor>((y, step) => step(y), x) as tf.Tensor2D
  return {
    features,
    logits: (a) => run(0, a),
    pooledLogits: chain[0].getClassName() === 'GlobalAveragePooling2D' ? (g) => run(1, g) : null,
    chain,
    featureShape,
    numClasses,
    dispose: () => tf.dispose(owned)
  }
}

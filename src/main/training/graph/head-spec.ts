import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { headLayers } from '../head/build-head'

/** One weight of a graph-trained model: its NamedWeight name (also the ONNX input name) and shape. */
export interface ParamSpec {
  /** Layer-scoped name as tfjs' `originalName`, e.g. 'fc1/kernel'. */
  name: string
  shape: number[]
  /** Whether the optimizer updates it (BN moving statistics and frozen layers' weights do not train). */
  trainable: boolean
}

/** A Dense layer: `[N, units]` = activation(x·kernel + bias). */
export interface DenseSpec {
  kind: 'dense'
  name: string
  units: number
  activation: 'relu' | 'linear' | 'softmax'
  kernel: string
  bias: string
}

/** A BatchNormalization layer over the feature axis (Keras defaults: momentum 0.99, ε 1e-3). */
export interface BatchNormSpec {
  kind: 'batchnorm'
  name: string
  units: number
  epsilon: number
  momentum: number
  /** False when the layer is frozen: it then runs in inference mode during training too (Keras 3). */
  trainable: boolean
  gamma: string
  beta: string
  movingMean: string
  movingVariance: string
}

/** A Dropout layer; the mask comes from outside the graph. */
export interface DropoutSpec {
  kind: 'dropout'
  name: string
  units: number
  rate: number
  /** Index of the layer in the head (seeds its masks per step, as the tfjs path does). */
  index: number
}

export type HeadLayerSpec = DenseSpec | BatchNormSpec | DropoutSpec

/** A chain head as plain data: what the ONNX head graphs are built from. */
export interface HeadSpec {
  inputDim: number
  numClasses: number
  layers: HeadLayerSpec[]
  /** Every weight of the head in `head.weights` order (the order of snapshots, checkpoints and resume). */
  params: ParamSpec[]
}

function weightName(layer: tf.layers.Layer, suffix: string): string {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${suffix}`))
  if (!w) throw new AppError('UNSUPPORTED', `head layer "${layer.name}" has no ${suffix} weight`)
  return w.originalName
}

/**
 * Reads a built tfjs head (buildHead's chain: BatchNormalization, Dense with ReLU/linear, Dropout, final
 * softmax Dense) into a HeadSpec. Throws UNSUPPORTED naming the layer for anything else, so the caller can
 * fall back to the tfjs trainer.
 */
export function headSpecOf(head: tf.LayersModel): HeadSpec {
  const inputDim = head.inputs[0].shape[1]
  if (head.inputs[0].shape.length !== 2 || inputDim == null) {
    throw new AppError('UNSUPPORTED', `head "${head.name}": input must be [batch, features]`)
  }
  return headSpecOfChain(headLayers(head), inputDim, head.weights, `head "${head.name}"`)
}

/**
 * The same for a chain of head layers taken out of a whole classifier (the layers after its global pooling,
 * inference/model/split-classifier.ts's classifierChain): `inputDim` features in, `weights` every weight of
 * `layers` in order. `what` names the head in errors.
 */
export function headSpecOfChain(
  chain: readonly tf.layers.Layer[],
  inputDim: number,
  weights: readonly tf.LayerVariable[],
  what: string
): HeadSpec {
  let units = inputDim
  const layers: HeadLayerSpec[] = chain.map((layer, index) => {
    const cfg = layer.getConfig()
    const kind = layer.getClassName()
    if (kind === 'Dense') {
      const activation = String(cfg.activation)
      if (activation !== 'relu' && activation !== 'linear' && activation !== 'softmax') {
        throw new AppError('UNSUPPORTED', `head layer "${layer.name}": activation ${activation} has no graph op`)
      }
      if (cfg.useBias === false || cfg.kernelConstraint || cfg.biasConstraint) {
        throw new AppError(
          'UNSUPPORTED',
          `head layer "${layer.name}": only plain Dense layers with a bias train on ONNX Runtime`
        )
      }
      units = Number(cfg.units)
      return {
        kind: 'dense',
        name: layer.name,
        units,
        activation,
        kernel: weightName(layer, 'kernel'),
        bias: weightName(layer, 'bias')
      }
    }
    if (kind === 'BatchNormalization') {
      const axis = Array.isArray(cfg.axis) ? cfg.axis : [cfg.axis]
      if (axis.length !== 1 || ![-1, 1].includes(Number(axis[0])) || cfg.center === false || cfg.scale === false) {
        throw new AppError(
          'UNSUPPORTED',
          `head layer "${layer.name}": only feature-axis BatchNormalization with γ and β`
        )
      }
      return {
        kind: 'batchnorm',
        name: layer.name,
        units,
        epsilon: Number(cfg.epsilon),
        momentum: Number(cfg.momentum),
        trainable: layer.trainable,
        gamma: weightName(layer, 'gamma'),
        beta: weightName(layer, 'beta'),
        movingMean: weightName(layer, 'moving_mean'),
        movingVariance: weightName(layer, 'moving_variance')
      }
    }
    if (kind === 'Dropout') return { kind: 'dropout', name: layer.name, units, rate: Number(cfg.rate), index }
    throw new AppError('UNSUPPORTED', `head layer "${layer.name}" (${kind}) has no graph op`)
  })
  const last = layers.at(-1)
  if (last?.kind !== 'dense' || last.activation !== 'softmax') {
    throw new AppError('UNSUPPORTED', `${what}: the last layer must be a softmax Dense`)
  }
  return {
    inputDim,
    numClasses: last.units,
    layers,
    params: weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[], trainable: w.trainable }))
  }
}

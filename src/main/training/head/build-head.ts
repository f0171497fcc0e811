import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { deriveSeed } from '../loop/random'
import { resolveHeadConfig, type HeadConfig } from './config'

/** Keras layer names of the head, in order (the GAP layer lives in the composed model only). */
export const HEAD_LAYER_NAMES = ['bn1', 'fc1', 'dropout1', 'fc2', 'bn2', 'dropout2', 'output'] as const

/** Name of the GlobalAveragePooling2D layer that composeModel puts between backbone and head. */
export const GAP_LAYER_NAME = 'global_avg_pool'

function dense(units: number, activation: 'relu' | 'softmax', name: string, seed: number): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    name,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: 'zeros'
  })
}

/**
 * Builds the embedding head: input `[batch, featureDim]` (a GAP'd backbone feature vector, e.g. 1280
 * for MobileNetV2) → `[batch, numClasses]` softmax probabilities. Layers are named as in Keras so the
 * same head can be composed onto a backbone (composeModel) and trained on cached embeddings.
 * Kernel initialisation is Glorot-uniform seeded from `cfg.seed`, so equal configs give equal weights.
 * BatchNormalization uses Keras defaults (momentum 0.99, epsilon 1e-3).
 */
export function buildHead(cfg: HeadConfig, featureDim: number): tf.LayersModel {
  const c = resolveHeadConfig(cfg)
  if (!Number.isInteger(featureDim) || featureDim < 1) {
    throw new AppError('INVALID_ARGUMENT', `buildHead: featureDim must be a positive integer, got ${featureDim}`)
  }
  const input = tf.input({ shape: [featureDim], name: 'embedding' })
  const layers: tf.layers.Layer[] = [
    tf.layers.batchNormalization({ name: 'bn1' }),
    dense(c.fc1Units, 'relu', 'fc1', deriveSeed(c.seed, 'fc1')),
    tf.layers.dropout({ rate: c.dropout1, name: 'dropout1' }),
    dense(c.fc2Units, 'relu', 'fc2', deriveSeed(c.seed, 'fc2')),
    tf.layers.batchNormalization({ name: 'bn2' }),
    tf.layers.dropout({ rate: c.dropout2, name: 'dropout2' }),
    dense(c.numClasses, 'softmax', 'output', deriveSeed(c.seed, 'output'))
  ]
  let t: tf.SymbolicTensor = input
  for (const layer of layers) t = layer.apply(t) as tf.SymbolicTensor
  return tf.model({ inputs: input, outputs: t, name: 'head' })
}

/**
 * The head's layers after its input layer, in forward order. Training walks them one by one (to seed
 * dropout per step), so the head must be a single chain; anything else is rejected.
 */
export function headLayers(head: tf.LayersModel): tf.layers.Layer[] {
  if (head.inputs.length !== 1 || head.outputs.length !== 1) {
    throw new AppError('INVALID_ARGUMENT', `head "${head.name}": expected one input and one output`)
  }
  const [first, ...rest] = head.layers
  if (!first || first.getClassName() !== 'InputLayer') {
    throw new AppError('INVALID_ARGUMENT', `head "${head.name}": first layer must be its input layer`)
  }
  // A layer's first inbound node is the one created when the head was built (composeModel adds later ones).
  let prev: tf.layers.Layer = first
  for (const layer of rest) {
    const from = layer.inboundNodes[0]?.inboundLayers
    if (!from || from.length !== 1 || from[0] !== prev) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `head "${head.name}": layer "${layer.name}" does not follow "${prev.name}" (head must be a chain)`
      )
    }
    prev = layer
  }
  return rest
}

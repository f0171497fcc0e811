import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { buildHead, GAP_LAYER_NAME, headLayers } from './build-head'
import type { HeadConfig } from './config'

/** A full classifier and the two parts it shares its layers (and so its weights) with. */
export interface ComposedModel {
  /** image `[batch, H, W, C]` → backbone → 'global_avg_pool' → head layers → `[batch, K]` probabilities. */
  model: tf.LayersModel
  /** The backbone as given; its layers are the first layers of `model`. */
  backbone: tf.LayersModel
  /** The embedding head (input `[batch, featureDim]`); the same layer objects as in `model`. */
  head: tf.LayersModel
}

/** Channels of a backbone's single rank-4 (NHWC) output: the embedding size after GAP. */
export function backboneFeatureDim(backbone: tf.LayersModel): number {
  if (backbone.outputs.length !== 1) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `backbone "${backbone.name}": expected one output, got ${backbone.outputs.length}`
    )
  }
  const shape = backbone.outputs[0].shape
  const channels = shape[3]
  if (shape.length !== 4 || channels == null) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `backbone "${backbone.name}": output must be a feature map [batch, H, W, C] with known C, got [${shape.join(', ')}]`
    )
  }
  return channels
}

/**
 * Composes backbone → GlobalAveragePooling2D('global_avg_pool') → head into one tf.LayersModel.
 * `head` is either an embedding head from buildHead (its layer objects are reused, so weights trained
 * on cached embeddings in stage 1 are the weights of the full model in stage 2) or a HeadConfig, in
 * which case a fresh head sized to the backbone's channel count is built. The backbone's layers are
 * inlined (not nested), so `model.layers` lists them by their own names, as Keras does for
 * `Model(base.input, ...)`. Throws INVALID_ARGUMENT when the head's input width ≠ backbone channels.
 */
export function composeModel(
  backbone: tf.LayersModel,
  head: tf.LayersModel | HeadConfig,
  opts: { name?: string } = {}
): ComposedModel {
  const featureDim = backboneFeatureDim(backbone)
  const headModel = head instanceof tf.LayersModel ? head : buildHead(head, featureDim)
  const headDim = headModel.inputs[0].shape[1]
  if (headDim !== featureDim) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `composeModel: head "${headModel.name}" expects ${headDim} features but backbone "${backbone.name}" outputs ${featureDim} channels`
    )
  }
  const taken = new Set(backbone.layers.map((l) => l.name))
  for (const name of [GAP_LAYER_NAME, ...headLayers(headModel).map((l) => l.name)]) {
    if (taken.has(name)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `composeModel: backbone "${backbone.name}" already has a layer named "${name}"`
      )
    }
  }
  let t = tf.layers.globalAveragePooling2d({ name: GAP_LAYER_NAME }).apply(backbone.outputs[0]) as tf.SymbolicTensor
  for (const layer of headLayers(headModel)) t = layer.apply(t) as tf.SymbolicTensor
  const model = tf.model({ inputs: backbone.inputs, outputs: t, name: opts.name ?? 'classifier' })
  return { model, backbone, head: headModel }
}

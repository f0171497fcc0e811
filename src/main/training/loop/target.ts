import * as tf from '@tensorflow/tfjs'
import { headLayers } from '../head/build-head'
import type { ComposedModel } from '../head/compose-model'
import { setTrainableTop, type UnfreezeOptions } from '../head/freeze'
import { fastDense } from './fast-dense'
import { compileHeadStep, type HeadStep } from './head-backprop'
import { assertBackboneTrainable } from './kernel-support'
import type { BatchSource } from './batch-source'
import { deriveSeed } from './random'
import { recalibrateHeadBatchNorm } from './recalibrate-bn'

/**
 * What trainStage trains: a forward pass split into a part outside the gradient tape (`prepare`,
 * e.g. a frozen backbone) and a differentiable part (`forward`), plus the variables involved.
 */
export interface TrainTarget {
  /** For messages: 'head' or the composed model's name. */
  readonly name: string
  /** Every weight of the model, BN moving statistics included: what snapshots and checkpoints hold. */
  readonly weights: readonly tf.LayerVariable[]
  /** Variables the optimizer updates, in a fixed order (optimizer state is matched by position). */
  trainableVariables(): tf.Variable[]
  /** Work that needs no gradient, done outside the tape. Returns a new tensor (the caller disposes). */
  prepare(x: tf.Tensor): tf.Tensor
  /**
   * Differentiable forward from prepare()'s output to `[b, K]` probabilities. `training` turns on the
   * head's dropout (seeded by `stepSeed`) and batch statistics in the head's BN layers; backbone layers
   * always run in inference mode, so base BN moving statistics never change.
   */
  forward(prepared: tf.Tensor, training: boolean, stepSeed: number): tf.Tensor2D
  /**
   * Optional explicit-gradient training step on prepare()'s output (same maths as forward + loss
   * under the tape, far fewer kernels); trainStage prefers it when present.
   */
  trainStep?: HeadStep
  /** Re-estimates the head's BN moving statistics over a source (see StageTarget.recalibrateBatchNorm). */
  recalibrateBatchNorm?(source: BatchSource, signal?: AbortSignal): Promise<void>
}

function headForward(layers: readonly tf.layers.Layer[]) {
  const steps = layers.map((layer, i) => {
    if (layer.getClassName() === 'Dropout') {
      const rate = Number(layer.getConfig().rate)
      // tfjs' Dropout layer reuses one fixed seed (the same mask every step) or Math.random (not
      // reproducible); a seed derived per step and layer is neither.
      return (t: tf.Tensor, training: boolean, stepSeed: number) =>
        training && rate > 0 ? tf.dropout(t, rate, undefined, deriveSeed(stepSeed, 'dropout', i)) : t
    }
    const dense = fastDense(layer)
    if (dense) return (t: tf.Tensor, training: boolean) => dense(t, training)
    return (t: tf.Tensor, training: boolean) => layer.apply(t, { training }) as tf.Tensor
  })
  return (x: tf.Tensor, training: boolean, stepSeed: number): tf.Tensor =>
    steps.reduce((t, f) => f(t, training, stepSeed), x)
}

/** Index of the lowest backbone layer with trainable weights (gradients flow from there up). */
function firstTrainableLayer(backbone: tf.LayersModel): number {
  return backbone.layers.findIndex((l) => l.trainableWeights.length > 0)
}

function variablesOf(layerVars: readonly tf.LayerVariable[]): tf.Variable[] {
  return layerVars.map((v) => v.read() as tf.Variable)
}

/**
 * Stage 1 on cached embeddings: the embedding head alone (input `[b, featureDim]`). Set the head
 * layers' `trainable` flags before creating the target: its explicit-gradient step is compiled here.
 */
export function headTarget(head: tf.LayersModel): TrainTarget {
  const layers = headLayers(head)
  const forward = headForward(layers)
  return {
    name: head.name,
    weights: head.weights,
    trainableVariables: () => variablesOf(head.trainableWeights),
    prepare: (x) => x.clone(),
    forward: (x, training, seed) => forward(x, training, seed) as tf.Tensor2D,
    trainStep: compileHeadStep(layers) ?? undefined,
    recalibrateBatchNorm: (source, signal) => recalibrateHeadBatchNorm(layers, (x) => x.clone(), source, signal)
  }
}

/** Options of imageTarget. */
export interface ImageTargetOptions extends UnfreezeOptions {
  /** Backbone layers to train, counted from the top (0 = frozen base, stage 1 on images). */
  trainableTopLayers: number
}

/**
 * Images through a composed model: stage 2 fine-tuning (`trainableTopLayers` = 30 in the recipe) or
 * stage 1 without cached embeddings (0). Sets the backbone layers' `trainable` flags. With a fully
 * frozen base the backbone runs outside the tape, which saves the memory of its activations.
 */
export function imageTarget(composed: ComposedModel, opts: ImageTargetOptions): TrainTarget {
  const { backbone, head, model } = composed
  setTrainableTop(backbone, opts.trainableTopLayers, opts)
  const frozenBase = backbone.trainableWeights.length === 0
  if (!frozenBase) assertBackboneTrainable(backbone, firstTrainableLayer(backbone))
  const layers = headLayers(head)
  const headFwd = headForward(layers)
  const features = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => tf.mean(backbone.apply(x, { training: false }) as tf.Tensor, [1, 2]))
  return {
    name: model.name,
    weights: model.weights,
    trainableVariables: () => variablesOf([...backbone.trainableWeights, ...head.trainableWeights]),
    prepare: (x) => (frozenBase ? features(x) : x.clone()),
    forward: (x, training, seed) => headFwd(frozenBase ? x : features(x), training, seed) as tf.Tensor2D,
    // With a frozen base the prepared features are the head's input, so the head's explicit step applies.
    trainStep: frozenBase ? (compileHeadStep(layers) ?? undefined) : undefined,
    recalibrateBatchNorm: (source, signal) => recalibrateHeadBatchNorm(layers, features, source, signal)
  }
}

import type * as tf from '@tensorflow/tfjs'
import { loadBackbone } from '../backbone/load-backbone'
import type { LoadedBackbone } from '../backbone/types'
import { buildHead } from '../head/build-head'
import { backboneFeatureDim } from '../head/compose-model'
import { deriveSeed } from '../loop/random'
import { makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import type { TrainingJob } from './job'

/**
 * The backbone of a training configuration and the preprocessing it implies (the backbone's own input scaling
 * unless the configuration forces one): what embeds images the way a run of this configuration does, so
 * embeddings cached by one are reused by the other. The caller disposes backbone.model.
 */
export async function loadConfigBackbone(
  config: TrainingJob['config']
): Promise<{ backbone: LoadedBackbone; spec: PreprocessSpec }> {
  const backbone = await loadBackbone({
    kind: config.backbone.kind,
    path: config.backbone.path,
    inputSize: config.inputSize,
    seed: config.seed
  })
  const scaling = config.scaling === 'backbone' ? backbone.source.inputScaling : config.scaling
  return { backbone, spec: makePreprocessSpec(config.inputSize, scaling) }
}

/**
 * The backbone of a training configuration, the preprocessing it implies (see loadConfigBackbone) and the
 * head, initialised from the configuration's seed. A run and a learning-rate sweep start from these, so the
 * sweep measures the head the run will train. The caller disposes backbone.model and head.
 */
export async function loadRunModels(
  config: TrainingJob['config'],
  numClasses: number
): Promise<{ backbone: LoadedBackbone; spec: PreprocessSpec; head: tf.LayersModel }> {
  const { backbone, spec } = await loadConfigBackbone(config)
  const head = buildHead(
    { numClasses, ...config.head, seed: deriveSeed(config.seed, 'head-init') },
    backboneFeatureDim(backbone.model)
  )
  return { backbone, spec, head }
}

import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { OnnxEncoderDeclarationInput } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { EmbeddingCache } from '../backbone/embedding-cache'
import { EmbeddingExtractor } from '../backbone/embedding-extractor'
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
  const kind = config.backbone.kind
  if (kind === 'onnx-encoder')
    throw new AppError(
      'UNSUPPORTED',
      'this needs a MobileNetV2 backbone; with an ONNX encoder only training (stage 1) and classification run'
    )
  const backbone = await loadBackbone({
    kind,
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

/**
 * An extractor over the workspace's embedding cache (`<cacheDir>/embeddings`) for a configuration whose
 * backbone is an imported ONNX encoder: its file (`encoderPath`, models/backbones/<sha256>/…) with the
 * configuration's declaration, resolved against the graph when the extractor starts.
 * @throws AppError INVALID_ARGUMENT when the file or the declaration is missing.
 */
export function encoderExtractor(
  config: TrainingJob['config'],
  encoderPath: string | undefined,
  cacheDir: string
): EmbeddingExtractor {
  if (!encoderPath || !config.backbone.declaration)
    throw new AppError('INVALID_ARGUMENT', 'an ONNX encoder needs the imported encoder file and its declaration')
  return new EmbeddingExtractor({
    backbone: {
      kind: 'onnx-encoder',
      path: encoderPath,
      declaration: config.backbone.declaration as OnnxEncoderDeclarationInput
    },
    cache: new EmbeddingCache(path.join(cacheDir, 'embeddings'))
  })
}

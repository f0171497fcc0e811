import { AppError } from '../../../shared/errors'
import { openBackboneRuntime, type BackboneRuntime } from '../../backbone-runtime/backbone-runtime'
import { assertPreprocessSpec, makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import type { ExtractorInfo } from './extractor-types'
import { compileInferencePlan, planSha256, type InferencePlan } from './inference-plan'
import { loadBackbone } from './load-backbone'
import type { BackboneSpec, LoadedBackbone } from './types'

function isLoaded(b: BackboneSpec | LoadedBackbone): b is LoadedBackbone {
  return 'model' in b
}

/**
 * Opens a tfjs-defined backbone for an EmbeddingExtractor (the counterpart of encoderStart for ONNX encoders):
 * loads it unless given loaded (a given backbone stays the caller's), compiles its fused inference plan, frees
 * a model it loaded itself, and opens the backbone runtime on the plan. Preprocessing must match the plan's
 * input size, else INVALID_ARGUMENT.
 */
export async function planStart(
  backbone: BackboneSpec | LoadedBackbone,
  given?: PreprocessSpec
): Promise<{ runtime: BackboneRuntime; info: ExtractorInfo }> {
  const own = !isLoaded(backbone)
  const loaded = isLoaded(backbone) ? backbone : await loadBackbone(backbone)
  let plan: InferencePlan
  try {
    plan = compileInferencePlan(loaded.model)
  } finally {
    if (own) loaded.model.dispose()
  }
  const preprocess = assertPreprocessSpec(given ?? makePreprocessSpec(plan.inputSize, loaded.source.inputScaling))
  if (preprocess.inputSize !== plan.inputSize) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `embedding extractor: preprocessing makes ${preprocess.inputSize} px inputs but the backbone takes ${plan.inputSize} px`
    )
  }
  const runtime = await openBackboneRuntime(plan, { outputs: ['embedding'], pixels: preprocess.scaling })
  return {
    runtime,
    info: {
      source: loaded.source,
      preprocess,
      featureDim: plan.featureDim,
      backboneId: planSha256(plan),
      engine: runtime.engine,
      backend: runtime.backend
    }
  }
}

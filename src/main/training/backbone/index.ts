/**
 * Backbone half of the training engine: MobileNetV2 builder, weight sources, fused inference plans and
 * the embedding extractor (over the one backbone runtime, src/main/backbone-runtime) with its on-disk cache.
 */
export { buildMobileNetV2, OUT_LAYER_NAME, INPUT_LAYER_NAME, type MobileNetV2Config } from './mobilenet-v2'
export type { BackboneKind, BackboneSource, BackboneSpec, InputScaling, LoadedBackbone } from './types'
export { loadBackbone } from './load-backbone'
export { loadNsfwjsBackbone } from './nsfwjs-source'
export { loadKerasH5Backbone, readKerasH5Weights, OFFICIAL_KERAS_H5_NAME } from './keras-h5-source'
export { loadTfjsDirBackbone, saveTfjsDirBackbone, BACKBONE_SIDECAR, type BackboneSidecar } from './tfjs-dir-source'
export { loadRandomBackbone } from './random-source'
export { copyWeightsByName, truncateAtOutRelu, resizeMobileNetV2, modelInputSize } from './model-surgery'
export { compileInferencePlan, planSha256, type InferencePlan, type PlanOp } from './inference-plan'
export {
  EmbeddingExtractor,
  type EmbedItem,
  type EmbeddingExtractorOptions,
  type ExtractOptions,
  type ExtractProgress,
  type ExtractResult,
  type ExtractorInfo
} from './embedding-extractor'
export { EmbeddingCache, embeddingKey, fileSha256, type EmbeddingKeyParts } from './embedding-cache'

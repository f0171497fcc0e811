/** The preprocessing chain stored with a model and reused unchanged at inference. */
export { assertPreprocessSpec, makePreprocessSpec, preprocessSpecKey, type PreprocessSpec } from './spec'
export { loadModelInput, renderedToModelInput, type RenderedFrame } from './load-model-input'
export { scalePixels } from './scale-pixels'

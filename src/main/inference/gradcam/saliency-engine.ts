import * as tf from '@tensorflow/tfjs'
import type { SaliencyMethod } from '../../../shared/contract'
import type { FeatureMap } from '../../backbone-runtime/backbone-runtime'
import { loadOrt } from '../../onnx/ort-runtime'
import { compileInferencePlan, type InferencePlan } from '../../training/backbone/inference-plan'
import type { ModelCard } from '../../training/job/model-artifact'
import { backboneUpTo, readSaliencyBaseline } from '../../training/job/saliency-baseline'
import type { SplitClassifier } from '../model/split-classifier'
import { baselineLayerCam } from './baseline-cam'
import { predictWithGradCam, type BatchPrediction } from './grad-cam'
import { openOrtLayerCam } from './ort-layercam'
import { planTail, planUpTo } from './plan-tail'

/**
 * What a classify job runs: the backbone part the backbone runtime executes, and the function from its
 * feature map to probabilities and saliency maps (ONNX Runtime or tfjs, named in `engine`).
 */
export interface SaliencyEngine {
  /** Opened in the backbone runtime: input → feature map A at `method.layer` (a model, or its compiled plan). */
  backbone: tf.LayersModel | InferencePlan
  method: SaliencyMethod
  /** What computes the head and the maps, e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)' or 'tfjs wasm'. */
  engine: string
  /** Probabilities and (when `withCam`) maps of a batch of A (NHWC); see BatchPrediction. */
  predict(a: FeatureMap, withCam: boolean): Promise<BatchPrediction>
  dispose(): Promise<void>
}

/** Runs a tfjs prediction on a FeatureMap (the tensor lives for the call only). */
function onTensor(fn: (a: tf.Tensor4D) => BatchPrediction): (a: FeatureMap) => Promise<BatchPrediction> {
  return async (m) => {
    const a = tf.tensor4d(m.data, m.shape)
    try {
      return fn(a)
    } finally {
      a.dispose()
    }
  }
}

/** Grad-CAM on card.featureLayer: models without a saliency baseline, and jobs without maps. */
function gradCamEngine(split: SplitClassifier, featureLayer: string): SaliencyEngine {
  return {
    backbone: split.features,
    method: { kind: 'gradcam', layer: featureLayer },
    engine: `tfjs ${tf.getBackend()}`,
    predict: (a, withCam) => onTensor((t) => predictWithGradCam(split, t, withCam))(a),
    dispose: async () => undefined
  }
}

/**
 * LayerCAM against the card's training-mean map at card.saliency.layer on tfjs: the runtime stops at that
 * layer, the rest of the backbone (plan-tail.ts) and the head run differentiably on tfjs. The fallback where
 * ONNX Runtime is not available (about 7× slower than ortBaselineEngine on 2 cores).
 */
function tfjsBaselineEngine(split: SplitClassifier, card: ModelCard, baselineData: Float32Array): SaliencyEngine {
  const saliency = card.saliency as NonNullable<ModelCard['saliency']>
  const [h, w] = saliency.grid
  const owned: tf.Tensor[] = [tf.tensor3d(baselineData, [h, w, saliency.channels])]
  const baseline = owned[0] as tf.Tensor3D
  try {
    const tail = planTail(compileInferencePlan(split.features), saliency.layer, owned)
    const pooled = split.pooledLogits
    const logits = (x: tf.Tensor4D): tf.Tensor2D =>
      pooled ? pooled(tf.mean(tail(x), [1, 2]) as tf.Tensor2D) : split.logits(tail(x))
    return {
      backbone: backboneUpTo(split.features, saliency.layer),
      method: { kind: 'layercam-baseline', layer: saliency.layer },
      engine: `tfjs ${tf.getBackend()}`,
      predict: (m, withCam) =>
        onTensor((a) => {
          if (withCam) return baselineLayerCam(logits, a, baseline)
          const probabilities = tf.tidy(() => tf.softmax(logits(a)).dataSync() as Float32Array)
          return { probabilities, cams: null }
        })(m),
      dispose: async () => tf.dispose(owned)
    }
  } catch (err) {
    tf.dispose(owned)
    throw err
  }
}

/**
 * The same maps on ONNX Runtime: the tail of the backbone, the head and one input-gradient pass per class as
 * one graph (layercam-graph.ts).
 */
async function ortBaselineEngine(
  split: SplitClassifier,
  card: ModelCard,
  modelDir: string,
  baseline: Float32Array
): Promise<SaliencyEngine> {
  const saliency = card.saliency as NonNullable<ModelCard['saliency']>
  const plan = compileInferencePlan(split.features)
  const cam = await openOrtLayerCam({
    plan,
    layer: saliency.layer,
    shape: [saliency.grid[0], saliency.grid[1], saliency.channels],
    chain: split.chain,
    baseline,
    what: `model ${modelDir}`
  })
  return {
    backbone: planUpTo(plan, saliency.layer, saliency.channels),
    method: { kind: 'layercam-baseline', layer: saliency.layer },
    engine: cam.engine,
    predict: (a, withCam) => cam.predict(a, withCam),
    dispose: () => cam.close()
  }
}

/** The baseline map B `[h, w, C]` as float32 values. */
function baselineValues(modelDir: string, saliency: NonNullable<ModelCard['saliency']>): Float32Array {
  const t = readSaliencyBaseline(modelDir, saliency)
  try {
    return Float32Array.from(t.dataSync())
  } finally {
    t.dispose()
  }
}

/**
 * The engine for a job: the card's saliency method when maps are asked for and the card has a baseline
 * (on ONNX Runtime where it loads and takes the graph, else on tfjs, with `onFallback` told why), else
 * Grad-CAM (also, with `onFallback` told why, when the baseline cannot be used).
 */
export async function openSaliencyEngine(
  split: SplitClassifier,
  card: ModelCard,
  modelDir: string,
  withCam: boolean,
  onFallback: (why: string) => void
): Promise<SaliencyEngine> {
  if (!withCam || !card.saliency) return gradCamEngine(split, card.featureLayer)
  let baseline: Float32Array
  try {
    baseline = baselineValues(modelDir, card.saliency)
  } catch (err) {
    onFallback(`saliency baseline unusable, maps are Grad-CAM at ${card.featureLayer}: ${(err as Error).message}`)
    return gradCamEngine(split, card.featureLayer)
  }
  const ort = loadOrt()
  let why = ort.ok ? '' : ort.reason
  if (ort.ok) {
    try {
      return await ortBaselineEngine(split, card, modelDir, baseline)
    } catch (err) {
      why = `ONNX Runtime could not run the saliency graph: ${(err as Error).message.split('\n')[0].slice(0, 300)}`
    }
  }
  try {
    const engine = tfjsBaselineEngine(split, card, baseline)
    onFallback(`LayerCAM maps on ${engine.engine} (slower): ${why}`)
    return engine
  } catch (err) {
    onFallback(`saliency baseline unusable, maps are Grad-CAM at ${card.featureLayer}: ${(err as Error).message}`)
    return gradCamEngine(split, card.featureLayer)
  }
}

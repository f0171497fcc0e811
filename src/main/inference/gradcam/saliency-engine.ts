import * as tf from '@tensorflow/tfjs'
import type { SaliencyMethod } from '../../../shared/contract'
import { compileInferencePlan } from '../../training/backbone/inference-plan'
import type { ModelCard } from '../../training/job/model-artifact'
import { backboneUpTo, readSaliencyBaseline } from '../../training/job/saliency-baseline'
import type { SplitClassifier } from '../model/split-classifier'
import { baselineLayerCam } from './baseline-cam'
import { predictWithGradCam, type BatchPrediction } from './grad-cam'
import { planTail } from './plan-tail'

/**
 * What a classify job runs: the backbone part the backbone runtime executes, and the tfjs function from its
 * feature map to probabilities and saliency maps.
 */
export interface SaliencyEngine {
  /** Opened in the backbone runtime: input → feature map A at `method.layer`. */
  backbone: tf.LayersModel
  method: SaliencyMethod
  /** Probabilities and (when `withCam`) maps of a batch of A; see BatchPrediction. */
  predict(a: tf.Tensor4D, withCam: boolean): BatchPrediction
  dispose(): void
}

/** Grad-CAM on card.featureLayer: models without a saliency baseline, and jobs without maps. */
function gradCamEngine(split: SplitClassifier, featureLayer: string): SaliencyEngine {
  return {
    backbone: split.features,
    method: { kind: 'gradcam', layer: featureLayer },
    predict: (a, withCam) => predictWithGradCam(split, a, withCam),
    dispose: () => undefined
  }
}

/**
 * LayerCAM against the card's training-mean map at card.saliency.layer: the runtime stops at that layer, the
 * rest of the backbone (plan-tail.ts) and the head run differentiably on tfjs.
 */
function baselineEngine(split: SplitClassifier, card: ModelCard, modelDir: string): SaliencyEngine {
  const saliency = card.saliency as NonNullable<ModelCard['saliency']>
  const owned: tf.Tensor[] = [readSaliencyBaseline(modelDir, saliency)]
  const baseline = owned[0] as tf.Tensor3D
  try {
    const tail = planTail(compileInferencePlan(split.features), saliency.layer, owned)
    const pooled = split.pooledLogits
    const logits = (x: tf.Tensor4D): tf.Tensor2D =>
      pooled ? pooled(tf.mean(tail(x), [1, 2]) as tf.Tensor2D) : split.logits(tail(x))
    return {
      backbone: backboneUpTo(split.features, saliency.layer),
      method: { kind: 'layercam-baseline', layer: saliency.layer },
      predict(a, withCam) {
        if (withCam) return baselineLayerCam(logits, a, baseline)
        const probabilities = tf.tidy(() => tf.softmax(logits(a)).dataSync() as Float32Array)
        return { probabilities, cams: null }
      },
      dispose: () => tf.dispose(owned)
    }
  } catch (err) {
    tf.dispose(owned)
    throw err
  }
}

/**
 * The engine for a job: the card's saliency method when maps are asked for and the card has a baseline,
 * else Grad-CAM (also, with `onFallback` told why, when the baseline cannot be used).
 */
export function openSaliencyEngine(
  split: SplitClassifier,
  card: ModelCard,
  modelDir: string,
  withCam: boolean,
  onFallback: (why: string) => void
): SaliencyEngine {
  if (!withCam || !card.saliency) return gradCamEngine(split, card.featureLayer)
  try {
    return baselineEngine(split, card, modelDir)
  } catch (err) {
    onFallback(`saliency baseline unusable, maps are Grad-CAM at ${card.featureLayer}: ${(err as Error).message}`)
    return gradCamEngine(split, card.featureLayer)
  }
}

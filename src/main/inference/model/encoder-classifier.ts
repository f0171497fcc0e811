import * as tf from '@tensorflow/tfjs'
import type { SaliencyMethod } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { BackboneRuntime, FeatureMap } from '../../backbone-runtime/backbone-runtime'
import { openModelEncoder } from '../../backbone-runtime/onnx-encoder/encoder-model-files'
import { GAP_LAYER_NAME, headLayers } from '../../training/head/build-head'
import type { ModelCard } from '../../training/job/model-artifact'
import { predictWithGradCam, type BatchPrediction } from '../gradcam/grad-cam'
import { splitClassifier, type SplitClassifier } from './split-classifier'

/** A model folder trained on an ONNX encoder, opened for classification. */
export interface EncoderClassifier {
  /** The encoder in the backbone runtime: pooled embeddings, or its spatial map when maps are made. */
  runtime: BackboneRuntime
  numClasses: number
  /** Grad-CAM on the encoder's spatial output, or null: no maps, for the reason in `noMaps`. */
  method: SaliencyMethod | null
  /** Why there are no maps (shown when maps were asked for), or null. */
  noMaps: string | null
  /** n preprocessed images → n × K probabilities, and n × K × h × w maps when `withCam` and `method`. */
  predict(
    lane: BackboneRuntime,
    input: Float32Array,
    n: number,
    withCam: boolean
  ): Promise<BatchPrediction & { h: number; w: number }>
  dispose(): void
}

/** Name of the input layer standing for the encoder's spatial map in the Grad-CAM split. */
const MAP_INPUT = 'encoder_map'

/**
 * Opens the encoder of model folder `dir` (card.encoder, its SHA-256 checked) and pairs it with the trained
 * head (`head`, the folder's model.json: pooled embedding → probabilities). With `maps` and an encoder whose
 * declared output is a spatial map pooled by global average, maps are Grad-CAM on that map (the head after
 * the same pooling, split-classifier.ts); a token or already pooled output has no spatial layer, and no map
 * is made up (`noMaps` says so). The caller closes the runtime and disposes the head and this.
 * @throws AppError CORRUPT when the head does not fit the encoder or the card's classes.
 */
export async function openEncoderClassifier(
  dir: string,
  card: ModelCard,
  head: tf.LayersModel,
  maps: boolean
): Promise<EncoderClassifier> {
  const pooling = card.encoder?.declaration.pooling
  const spatial = pooling === 'global-average'
  const withMaps = maps && spatial
  const runtime = await openModelEncoder(dir, card, withMaps ? 'featureMap' : 'embedding')
  const width = head.inputs[0].shape[1]
  const k = head.outputs[0].shape[1] as number
  if (width !== runtime.featureDim || k !== card.classNames.length) {
    await runtime.close()
    throw new AppError(
      'CORRUPT',
      `model ${dir}: the head takes ${width} features and gives ${k} classes, but the encoder gives ${runtime.featureDim} features and the card names ${card.classNames.length} classes`
    )
  }
  const noMaps = spatial
    ? null
    : `no saliency maps: LayerCAM and Grad-CAM need a spatial layer, and this ONNX encoder’s output is ${pooling === 'none' ? 'already pooled' : 'a token sequence'}; classifying without maps`
  const output = card.encoder?.declaration.output ?? ''
  let split: SplitClassifier | null = null
  const splitFor = (m: FeatureMap): SplitClassifier => {
    // Built on the first batch, when the map's grid is known: encoder map → GAP → the head's own layers.
    if (split) return split
    const [, h, w, c] = m.shape
    const input = tf.input({ shape: [h, w, c], name: MAP_INPUT })
    let t = tf.layers.globalAveragePooling2d({ name: GAP_LAYER_NAME }).apply(input) as tf.SymbolicTensor
    for (const layer of headLayers(head)) t = layer.apply(t) as tf.SymbolicTensor
    split = splitClassifier(tf.model({ inputs: input, outputs: t }), MAP_INPUT, `model ${dir}`)
    return split
  }
  return {
    runtime,
    numClasses: k,
    method: withMaps ? { kind: 'gradcam', layer: `encoder output "${output}"` } : null,
    noMaps,
    async predict(lane, input, n, withCam) {
      const out = await lane.run(input, n)
      if (out.featureMap) {
        const m = out.featureMap
        const a = tf.tensor4d(m.data, m.shape)
        try {
          return { ...predictWithGradCam(splitFor(m), a, withCam), h: m.shape[1], w: m.shape[2] }
        } finally {
          a.dispose()
        }
      }
      const e = out.embedding as Float32Array
      const probabilities = tf.tidy(
        () => (head.predict(tf.tensor2d(e, [n, width])) as tf.Tensor).dataSync() as Float32Array
      )
      return { probabilities, cams: null, h: 0, w: 0 }
    },
    dispose: () => (split as SplitClassifier | null)?.dispose()
  }
}

import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/errors'
import { classifierChain, weightOf } from '../inference/model/split-classifier'
import { compileInferencePlan } from '../training/backbone/inference-plan'
import { GraphBuilder } from './graph-builder'
import { BACKBONE_IO, emitPlan, globalAveragePool, nhwcInput } from './plan-to-onnx'

/** Name of the output of an exported classifier: softmax probabilities `[batch, K]`. */
export const PROBABILITIES = 'probabilities'

const IDENTITY_LAYERS = new Set(['Dropout', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'])

/** Float32 copy of a layer weight, or null. */
function values(layer: tf.layers.Layer, suffix: string): Float32Array | null {
  const t = weightOf(layer, suffix)
  return t ? Float32Array.from(t.dataSync()) : null
}

/**
 * Builds an ONNX classifier (opset 17) from a trained tfjs LayersModel, reading its current weights (so
 * fine-tuned backbone layers are included): input `image` `[batch, s, s, 3]` NHWC float32, preprocessed
 * as the model card says; output `probabilities` `[batch, K]`. The backbone up to `featureLayer` becomes
 * its BN-folded plan; the head chain after it (GlobalAveragePooling2D, BatchNormalization in inference
 * mode, Dense with relu/sigmoid/tanh/softmax, Dropout as identity) is written layer by layer.
 * `metadata` lands in the model's metadata_props.
 * @throws AppError UNSUPPORTED naming a layer with no ONNX form here.
 */
export function classifierToOnnx(
  model: tf.LayersModel,
  featureLayer: string,
  metadata: Record<string, string>,
  what = `model "${model.name}"`
): Uint8Array {
  const { cut, chain } = classifierChain(model, featureLayer, what)
  const features = tf.model({ inputs: model.inputs, outputs: cut.output as tf.SymbolicTensor })
  const plan = compileInferencePlan(features)
  const g = new GraphBuilder('classifier')
  let v = emitPlan(g, plan, nhwcInput(g, BACKBONE_IO.input, plan.inputSize)).name
  v = emitClassifierChain(g, v, chain, what)
  const k = model.outputs[0].shape[1] as number
  g.output(v, ['batch', k])
  return g.toBytes(metadata)
}

/**
 * Writes a classifier's layer chain after its feature map (or after pooling, with `pooled`): a first
 * GlobalAveragePooling2D, BatchNormalization in inference mode, Dense with relu/sigmoid/tanh/softmax, Dropout
 * as identity, ending in softmax named PROBABILITIES. Shared by the MobileNetV2 export and the ONNX-encoder
 * export (whose head starts from the pooled embedding). Returns PROBABILITIES.
 * @throws AppError UNSUPPORTED naming a layer with no ONNX form here, or a chain not ending in softmax.
 */
export function emitClassifierChain(
  g: GraphBuilder,
  input: string,
  chain: readonly tf.layers.Layer[],
  what: string,
  pooledAlready = false
): string {
  let v = input
  let pooled = pooledAlready
  chain.forEach((layer, i) => {
    const cls = layer.getClassName()
    const cfg = layer.getConfig() as Record<string, unknown>
    const last = i === chain.length - 1
    if (cls === 'GlobalAveragePooling2D' && !pooled) {
      v = globalAveragePool(g, v, layer.name)
      pooled = true
    } else if (!pooled) {
      throw new AppError('UNSUPPORTED', `${what}: layer "${layer.name}" (${cls}) comes before global pooling`)
    } else if (IDENTITY_LAYERS.has(cls)) {
      // Inference mode: dropout and noise layers pass values through.
    } else if (cls === 'BatchNormalization' && (cfg.axis === -1 || cfg.axis === 1)) {
      const mean = values(layer, 'moving_mean')
      const variance = values(layer, 'moving_variance')
      if (!mean || !variance) throw new AppError('CORRUPT', `${what}: layer "${layer.name}" has no moving statistics`)
      const gamma = values(layer, 'gamma')
      const beta = values(layer, 'beta')
      const eps = Number(cfg.epsilon ?? 1e-3)
      const scale = mean.map((_, c) => (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps))
      const shift = mean.map((m, c) => (beta ? beta[c] : 0) - m * scale[c])
      const s = g.constant(`${layer.name}_scale`, scale, [scale.length])
      const t = g.constant(`${layer.name}_shift`, shift, [shift.length])
      v = g.op('Add', [g.op('Mul', [v, s], {}, `${layer.name}_mul`), t], {}, layer.name)
    } else if (cls === 'Dense') {
      const kernel = weightOf(layer, 'kernel')
      if (!kernel) throw new AppError('CORRUPT', `${what}: dense layer "${layer.name}" has no kernel`)
      const [inDim, outDim] = kernel.shape
      const W = g.constant(`${layer.name}_W`, Float32Array.from(kernel.dataSync()), [inDim, outDim])
      const bias = values(layer, 'bias') ?? new Float32Array(outDim)
      const B = g.constant(`${layer.name}_B`, bias, [outDim])
      const act = String(cfg.activation ?? 'linear')
      v = g.op('Gemm', [v, W, B], {}, act === 'linear' ? layer.name : `${layer.name}_linear`)
      if (act === 'relu') v = g.op('Relu', [v], {}, layer.name)
      else if (act === 'sigmoid') v = g.op('Sigmoid', [v], {}, layer.name)
      else if (act === 'tanh') v = g.op('Tanh', [v], {}, layer.name)
      else if (act === 'softmax' && last) v = g.op('Softmax', [v], { axis: -1 }, PROBABILITIES)
      else if (act !== 'linear') {
        throw new AppError('UNSUPPORTED', `${what}: dense layer "${layer.name}" has activation "${act}"`)
      }
    } else if (last && cls === 'Activation' && cfg.activation === 'softmax') {
      v = g.op('Softmax', [v], { axis: -1 }, PROBABILITIES)
    } else {
      throw new AppError('UNSUPPORTED', `${what}: layer "${layer.name}" (${cls}) has no ONNX form in the export`)
    }
  })
  if (v !== PROBABILITIES) {
    throw new AppError(
      'UNSUPPORTED',
      `${what}: the last layer "${chain[chain.length - 1].name}" is not a softmax output`
    )
  }
  return v
}

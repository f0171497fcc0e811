import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { buildMobileNetV2, OUT_LAYER_NAME } from './mobilenet-v2'

/** Short weight name as Keras and tfjs both end it: 'kernel', 'depthwise_kernel', 'gamma', 'moving_mean', … */
export function weightSuffix(name: string): string {
  return name.replace(/:\d+$/, '').split('/').pop() ?? name
}

/**
 * Square input size of a single-input image model `[batch, s, s, 3]`, pixels, or null when the input is
 * not square or has no fixed size.
 */
export function modelInputSize(model: tf.LayersModel): number | null {
  const shape = model.inputs[0]?.shape
  if (!shape || shape.length !== 4 || shape[1] === null || shape[1] !== shape[2]) return null
  return shape[1]
}

/**
 * Copies every weight of `to` from the layer of the same name in `from` (both Keras-named MobileNetV2s,
 * possibly built at different input sizes: convolution and BN weights do not depend on the spatial size).
 * Throws CORRUPT when a layer is missing in `from` or a weight's shape differs. Returns the number of
 * weight tensors copied. `from` keeps its own weights; `to` shares the values by reference count.
 */
export function copyWeightsByName(from: tf.LayersModel, to: tf.LayersModel, what = `model "${from.name}"`): number {
  let copied = 0
  for (const layer of to.layers) {
    if (layer.weights.length === 0) continue
    let src: tf.layers.Layer
    try {
      src = from.getLayer(layer.name)
    } catch {
      throw new AppError('CORRUPT', `${what}: has no layer "${layer.name}" to copy weights from`)
    }
    const srcValues = src.getWeights()
    const bySuffix = new Map(src.weights.map((w, i) => [weightSuffix(w.originalName), srcValues[i]]))
    const values = layer.weights.map((w) => {
      const v = bySuffix.get(weightSuffix(w.originalName))
      if (!v)
        throw new AppError('CORRUPT', `${what}: layer "${layer.name}" has no weight "${weightSuffix(w.originalName)}"`)
      if (v.shape.join() !== w.shape.join()) {
        throw new AppError(
          'CORRUPT',
          `${what}: layer "${layer.name}" weight "${weightSuffix(w.originalName)}" has shape [${v.shape}], expected [${w.shape}]`
        )
      }
      return v
    })
    layer.setWeights(values)
    copied += values.length
  }
  return copied
}

/**
 * Cuts a Keras MobileNetV2 (or any model holding an `out_relu` layer) at `out_relu` and disposes the
 * weights of the layers cut away, so only the returned model owns tensors. `what` names the source in errors.
 */
export function truncateAtOutRelu(model: tf.LayersModel, what: string): tf.LayersModel {
  let out: tf.layers.Layer
  try {
    out = model.getLayer(OUT_LAYER_NAME)
  } catch {
    throw new AppError(
      'UNSUPPORTED',
      `${what}: has no "${OUT_LAYER_NAME}" layer, so it is not a Keras-named MobileNetV2`
    )
  }
  if (model.outputs.length === 1 && model.outputs[0] === out.output) return model
  const truncated = tf.model({ inputs: model.inputs, outputs: out.output as tf.SymbolicTensor, name: model.name })
  const keep = new Set(truncated.layers)
  for (const layer of model.layers) if (!keep.has(layer)) layer.dispose()
  return truncated
}

/**
 * Returns a MobileNetV2 at `inputSize` with the weights of `model` (a Keras-named MobileNetV2 at another
 * size), disposing `model`; returns `model` itself when the size already matches.
 */
export function resizeMobileNetV2(model: tf.LayersModel, inputSize: number, what: string): tf.LayersModel {
  if (modelInputSize(model) === inputSize) return model
  const alpha = (model.getLayer(OUT_LAYER_NAME).outputShape as number[])[3] === 1280 ? 1.0 : undefined
  if (alpha === undefined) {
    throw new AppError(
      'UNSUPPORTED',
      `${what}: only α = 1.0 MobileNetV2 (1280 output channels) can be rebuilt at ${inputSize} px`
    )
  }
  const rebuilt = buildMobileNetV2({ inputSize, alpha, includeTop: false })
  try {
    copyWeightsByName(model, rebuilt, what)
  } catch (err) {
    rebuilt.dispose()
    throw err
  }
  model.dispose()
  return rebuilt
}

import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'

/** Gradient kernels each convolution layer class needs to train and to pass gradients through. */
const GRADIENT_KERNELS: Record<string, string[]> = {
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  DepthwiseConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  SeparableConv2D: [
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput'
  ]
}

/**
 * Throws UNSUPPORTED when the active backend lacks a gradient kernel that training the backbone's
 * layers from `firstTrainable` upwards needs (tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter or
 * depthwise backprop kernels). Checking up front turns a failure deep inside the first step into a
 * message that names the layer, the kernel and the way out.
 */
export function assertBackboneTrainable(backbone: tf.LayersModel, firstTrainable: number): void {
  const backend = tf.getBackend()
  for (const layer of backbone.layers.slice(firstTrainable)) {
    for (const kernel of GRADIENT_KERNELS[layer.getClassName()] ?? []) {
      if (!tf.getKernel(kernel, backend)) {
        throw new AppError(
          'UNSUPPORTED',
          `fine-tuning backbone "${backbone.name}": layer "${layer.name}" needs the ${kernel} kernel, which the ` +
            `"${backend}" backend lacks; use the cpu or tfjs-node backend, or train with the base frozen`
        )
      }
    }
  }
}

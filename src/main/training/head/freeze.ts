import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'

/** How many base layers stage 2 unfreezes, counted from the top as Keras' `base.layers[-N:]`. */
export const DEFAULT_UNFROZEN_TOP_LAYERS = 30

/** Options of setTrainableTop. */
export interface UnfreezeOptions {
  /**
   * Also train gamma/beta of BatchNormalization layers in the unfrozen range. Default false: the
   * Keras fine-tuning advice is to keep BN layers frozen. Either way their moving mean/variance never
   * change, because the trainer always runs the backbone in inference mode.
   */
  trainBatchNorm?: boolean
}

function isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization'
}

/**
 * Freezes every backbone layer except the top `n` (in `backbone.layers` order, input layer included,
 * as Keras counts). `n = 0` freezes the whole base (stage 1). Returns the names of the layers left
 * trainable that actually own trainable weights.
 */
export function setTrainableTop(backbone: tf.LayersModel, n: number, opts: UnfreezeOptions = {}): string[] {
  if (!Number.isInteger(n) || n < 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `setTrainableTop: backbone "${backbone.name}": n must be an integer ≥ 0, got ${n}`
    )
  }
  const layers = backbone.layers
  const firstTrainable = Math.max(0, layers.length - n)
  const unfrozen: string[] = []
  layers.forEach((layer, i) => {
    const on = i >= firstTrainable && (opts.trainBatchNorm === true || !isBatchNorm(layer))
    layer.trainable = on
    if (on && layer.trainableWeights.length > 0) unfrozen.push(layer.name)
  })
  return unfrozen
}

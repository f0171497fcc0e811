import * as tf from '@tensorflow/tfjs'

/** Keras' epsilon for clipping probabilities before the log. */
const EPSILON = 1e-7

/**
 * Mean categorical cross-entropy (nats) of softmax probabilities `[b, K]` against one-hot targets
 * `[b, K]`, as Keras computes it from probabilities (clip to [ε, 1-ε], then -Σ y·log p). With
 * `sampleWeights` `[b]` the per-sample losses are weighted before averaging over the batch size.
 */
export function categoricalCrossEntropy(
  probs: tf.Tensor2D,
  oneHot: tf.Tensor2D,
  sampleWeights?: tf.Tensor1D
): tf.Scalar {
  return tf.tidy(() => {
    const perSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON))), -1))
    return tf.mean(sampleWeights ? tf.mul(perSample, sampleWeights) : perSample) as tf.Scalar
  })
}

/** Number of rows whose argmax equals the label. */
export function countCorrect(probs: tf.Tensor2D, labels: Int32Array): number {
  const predicted = tf.tidy(() => tf.argMax(probs, -1))
  const p = predicted.dataSync()
  predicted.dispose()
  let correct = 0
  for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) correct++
  return correct
}

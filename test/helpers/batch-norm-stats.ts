import * as tf from '@tensorflow/tfjs'

/**
 * Gives every BatchNormalization layer of `model` (or only those named) non-trivial statistics (γ, β, moving
 * mean, moving variance), so a swapped or unfolded statistic changes the outputs. Seeded, reproducible.
 */
export function randomizeBatchNorm(model: tf.LayersModel, only?: readonly string[]): void {
  const layers = model.layers.filter(
    (l) => l.getClassName() === 'BatchNormalization' && (!only || only.includes(l.name))
  )
  for (const layer of layers) {
    const [g, b, m, v] = layer.getWeights()
    const fresh = tf.tidy(() => [
      tf.randomUniform(g.shape, 0.5, 1.5, 'float32', 1),
      tf.randomUniform(b.shape, -0.2, 0.2, 'float32', 2),
      tf.randomUniform(m.shape, -0.1, 0.1, 'float32', 3),
      tf.randomUniform(v.shape, 0.5, 2, 'float32', 4)
    ])
    layer.setWeights(fresh)
    tf.dispose(fresh)
  }
}

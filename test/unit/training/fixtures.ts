import * as tf from '@tensorflow/tfjs'
import { mulberry32 } from '../../../src/main/training/loop/random'

/** The pure-JS backend: deterministic, and the only one here with convolution gradients. */
export async function useCpuBackend(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not initialise')
}

/**
 * Gaussian clusters: class k has mean +`separation` on feature k (mod dim) and unit noise, so the
 * classes are linearly separable in expectation. Returns row-major `n × dim` features.
 */
export function clusters(
  n: number,
  dim: number,
  k: number,
  seed: number,
  separation = 3
): { rows: Float32Array; labels: Int32Array } {
  const rng = mulberry32(seed)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())
  const rows = new Float32Array(n * dim)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % k
    labels[i] = c
    for (let d = 0; d < dim; d++) rows[i * dim + d] = gauss() + (d % k === c ? separation : 0)
  }
  return { rows, labels }
}

/**
 * A stand-in backbone with MobileNetV2-like structure: conv → BN → ReLU, twice; output a feature map
 * `[b, size/2, size/2, 6]`. Seeded initialisers make it identical across runs.
 */
export function tinyBackbone(size = 8, channels = 3): tf.LayersModel {
  const input = tf.input({ shape: [size, size, channels], name: 'image' })
  let t: tf.SymbolicTensor = input
  const block = (name: string, filters: number, strides: number, seed: number): void => {
    t = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        strides,
        padding: 'same',
        useBias: false,
        name,
        kernelInitializer: tf.initializers.glorotUniform({ seed })
      })
      .apply(t) as tf.SymbolicTensor
    t = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(t) as tf.SymbolicTensor
    t = tf.layers.reLU({ name: `${name}_relu` }).apply(t) as tf.SymbolicTensor
  }
  block('c1', 4, 1, 11)
  block('c2', 6, 2, 12)
  return tf.model({ inputs: input, outputs: t, name: 'tiny_backbone' })
}

/** Sets every BN layer's moving statistics to non-trivial values, as a pretrained backbone has. */
export function perturbBatchNormStats(model: tf.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue
    tf.tidy(() => {
      const [gamma, beta] = layer.getWeights()
      const c = gamma.shape[0]
      layer.setWeights([
        gamma,
        beta,
        tf.tensor1d(Array.from({ length: c }, (_, i) => 0.1 * (i + 1))),
        tf.tensor1d(Array.from({ length: c }, (_, i) => 1 + 0.2 * i))
      ])
    })
  }
}

/** Current values of a layer's weights, by weight name ('c2/kernel'), as plain arrays. */
export function weightValues(model: tf.LayersModel, layerName: string): Record<string, Float32Array> {
  const layer = model.getLayer(layerName)
  return Object.fromEntries(layer.weights.map((w) => [w.originalName, Float32Array.from(w.read().dataSync())]))
}

/** Largest absolute element difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** `n` uniform values in [-1, 1) from `seed`. */
export const rand = (n: number, seed: number): Float32Array => {
  const r = mulberry32(seed)
  return Float32Array.from({ length: n }, () => r() * 2 - 1)
}

/** Keras 3 Adam in float64, one variable at a time: the reference both optimizers are checked against. */
export function referenceAdam(w: ArrayLike<number>, grads: Float32Array[], lr: number): Float64Array {
  const m = new Float64Array(w.length)
  const v = new Float64Array(w.length)
  const out = Float64Array.from(w)
  grads.forEach((g, s) => {
    const t = s + 1
    const alpha = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t)
    for (let j = 0; j < w.length; j++) {
      m[j] += (g[j] - m[j]) * 0.1
      v[j] += (g[j] * g[j] - v[j]) * 0.001
      out[j] -= (alpha * m[j]) / (Math.sqrt(v[j]) + 1e-7)
    }
  })
  return out
}

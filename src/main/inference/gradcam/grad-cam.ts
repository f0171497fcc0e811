import * as tf from '@tensorflow/tfjs'
import type { SplitClassifier } from '../model/split-classifier'

/** Probabilities and (optionally) Grad-CAM maps of one batch. */
export interface BatchPrediction {
  /** n × K softmax probabilities, row-major. */
  probabilities: Float32Array
  /** n × K × h × w Grad-CAM maps (image-major, then class, then row-major), ≥ 0; null when not asked for. */
  cams: Float32Array | null
}

/**
 * Grad-CAM weights α `[n, C, K]` of every class by tf.grad through the head, with global average pooling
 * differentiated by hand: g_k = mean_ij A_ijk gives ∂score/∂A_ijk = ∂score/∂g_k / (h·w) at every cell, so
 * α_k = mean_ij ∂score/∂A_ijk = ∂score/∂g_k / (h·w). One backward pass serves all classes: the pooled batch
 * is repeated K times and row c·n + i scores class c of image i. (tfjs-backend-wasm runs the Mean gradient
 * over a full feature map very slowly, ~20 ms per image and class, which this avoids; the unit test checks the
 * result against tf.grad taken with respect to A itself.)
 */
function pooledAlphas(
  pooledLogits: (g: tf.Tensor2D) => tf.Tensor2D,
  pooled: tf.Tensor2D,
  k: number,
  cells: number
): tf.Tensor3D {
  const [n, c] = pooled.shape
  const repeated = tf.tile(pooled, [k, 1]) as tf.Tensor2D
  const mask = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: k * n }, (_, r) => Math.floor(r / n)),
      'int32'
    ),
    k
  )
  const dScore = tf.grad((g: tf.Tensor) => tf.sum(tf.mul(pooledLogits(g as tf.Tensor2D), mask)))(repeated)
  return tf.transpose(tf.div(tf.reshape(dScore, [k, n, c]), cells), [1, 2, 0]) as tf.Tensor3D
}

/** The same weights by tf.grad with respect to the feature map, one class at a time (any head). */
function featureMapAlphas(split: SplitClassifier, a: tf.Tensor4D, k: number): tf.Tensor3D {
  const alphas: tf.Tensor2D[] = []
  for (let cls = 0; cls < k; cls++) {
    const score = (x: tf.Tensor): tf.Scalar => tf.sum(tf.slice(split.logits(x as tf.Tensor4D), [0, cls], [-1, 1]))
    alphas.push(tf.mean(tf.grad(score)(a), [1, 2]) as tf.Tensor2D)
  }
  return tf.stack(alphas, 2) as tf.Tensor3D
}

/**
 * Classifies a batch of feature maps A `[n, h, w, C]` (the backbone's last convolutional block) and, when
 * `withCam`, computes Grad-CAM for every class c: α_k = mean over h×w of ∂logit_c/∂A_k (pre-softmax score,
 * each image's own gradient: images of a batch do not interact), map = ReLU(Σ_k α_k A_k). Only the pooling and
 * the dense head are differentiated, so no convolution gradient kernel is needed (tfjs-backend-wasm has none).
 */
export function predictWithGradCam(split: SplitClassifier, a: tf.Tensor4D, withCam: boolean): BatchPrediction {
  const [n, h, w, c] = a.shape
  const k = split.numClasses
  let probabilities: Float32Array = new Float32Array(0)
  let cams: Float32Array | null = null
  tf.tidy(() => {
    const pooled = split.pooledLogits ? (tf.mean(a, [1, 2]) as tf.Tensor2D) : null
    const logits = split.pooledLogits && pooled ? split.pooledLogits(pooled) : split.logits(a)
    probabilities = tf.softmax(logits).dataSync() as Float32Array
    if (!withCam) return
    const alphas =
      split.pooledLogits && pooled ? pooledAlphas(split.pooledLogits, pooled, k, h * w) : featureMapAlphas(split, a, k)
    // [n, hw, C] · [n, C, K] → [n, hw, K] → [n, K, hw]
    const maps = tf.relu(tf.matMul(tf.reshape(a, [n, h * w, c]), alphas))
    cams = tf.transpose(maps, [0, 2, 1]).dataSync() as Float32Array
  })
  return { probabilities, cams }
}

/**
 * Quantises one image's maps (K × hw floats) to bytes, each class scaled by its own maximum: returns the
 * bytes (255 = that class's maximum) and the K maxima (0 when a class has no positive evidence).
 */
export function quantizeCams(maps: Float32Array, k: number): { bytes: Uint8Array; scale: Float32Array } {
  const hw = maps.length / k
  const bytes = new Uint8Array(maps.length)
  const scale = new Float32Array(k)
  for (let cls = 0; cls < k; cls++) {
    let max = 0
    for (let i = cls * hw; i < (cls + 1) * hw; i++) if (maps[i] > max) max = maps[i]
    scale[cls] = max
    if (max > 0) for (let i = cls * hw; i < (cls + 1) * hw; i++) bytes[i] = Math.round((maps[i] / max) * 255)
  }
  return { bytes, scale }
}

import * as tf from '@tensorflow/tfjs'

/**
 * Saliency relative to a baseline, at a finer layer than the pooled one: for class c and cell (i, j),
 * map = ReLU(Σ_k ReLU(∂score_c/∂A_ijk) · (A_ijk − B_ijk)), B = the mean feature map over the training
 * images (LayerCAM's per-cell positive gradients, Jiang et al. 2021, with activations taken against B).
 *
 * Why: plain Grad-CAM credits every activation against zero, so anatomy that every image shares (midline,
 * ventricles, skull) with large activations outweighs the finding. Measured on lesion-side slices at
 * 224 px (test/unit/inference/gradcam-pointing.test.ts): the maximum points within one cell of the lesion
 * for 6 of 27 correct predictions with Grad-CAM on the 7 × 7 `out_relu`, 17 of 27 with that map against B,
 * 9 of 27 with Grad-CAM at the 14 × 14 `block_13_expand_relu`, 25 of 27 with this map there.
 *
 * `logits`: A `[n, h, w, C]` → pre-softmax scores `[n, K]`, differentiable (plan-tail.ts, then the head);
 * images of a batch must not interact. `baseline` `[h, w, C]`. Returns the probabilities `[n·K]` and the
 * maps `[n, K, h, w]` flattened, ≥ 0.
 */
export function baselineLayerCam(
  logits: (a: tf.Tensor4D) => tf.Tensor2D,
  a: tf.Tensor4D,
  baseline: tf.Tensor3D
): { probabilities: Float32Array; cams: Float32Array } {
  return tf.tidy(() => {
    const scores = logits(a)
    const k = scores.shape[1]
    const probabilities = tf.softmax(scores).dataSync() as Float32Array
    const delta = tf.sub(a, baseline)
    const maps: tf.Tensor[] = []
    for (let c = 0; c < k; c++) {
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(logits(x as tf.Tensor4D), [0, c], [-1, 1])))(a)
      maps.push(tf.relu(tf.sum(tf.mul(tf.relu(g), delta), 3)))
    }
    return { probabilities, cams: tf.stack(maps, 1).dataSync() as Float32Array }
  })
}

import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { Rng } from '../loop/random'
import { affineRow, sampleAffineParams } from './affine'
import { isIdentityAugment, resolveAugmentConfig, type AugmentConfig } from './config'

/**
 * Applies an independent random rotation/shift/zoom/flip to each image of an NHWC float batch
 * `[b, H, W, C]` in one tf.image.transform call (kernels exist on cpu, wasm and tfjs-node).
 * Deterministic for a given `rng` state. Returns a new tensor; `x` is left to the caller.
 */
export function augmentBatch(x: tf.Tensor4D, cfg: AugmentConfig, rng: Rng): tf.Tensor4D {
  if (x.rank !== 4)
    throw new AppError('INVALID_ARGUMENT', `augmentBatch: expected [b, H, W, C] images, got shape [${x.shape}]`)
  const c = resolveAugmentConfig(cfg)
  const [b, h, w] = x.shape
  if (isIdentityAugment(c)) return x.clone()
  const rows: number[] = []
  for (let i = 0; i < b; i++) rows.push(...affineRow(sampleAffineParams(rng, c, h, w), h, w))
  return tf.tidy(() => {
    const transforms = tf.tensor2d(rows, [b, 8])
    const input = x.dtype === 'float32' ? x : tf.cast(x, 'float32')
    if (tf.getBackend() !== 'cpu') return tf.image.transform(input, transforms, c.interpolation, c.fillMode)
    // tfjs-backend-cpu 4.22's Transform kernel returns from inside its batch loop, so every image
    // after the first comes back as the fill value; one call per image avoids it.
    const images = tf
      .split(input, b, 0)
      .map((img, i) => tf.image.transform(img as tf.Tensor4D, transforms.slice(i, 1), c.interpolation, c.fillMode))
    return tf.concat(images, 0)
  })
}

import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { Rng } from '../loop/random'
import { batchAffineRows } from './affine'
import { isIdentityAugment, resolveAugmentConfig, type AugmentConfig } from './config'
import { warpAffine } from './warp-affine'

/**
 * Applies an independent random rotation/shift/zoom/flip to each image of an NHWC float batch
 * `[b, H, W, C]` given as values (warp-affine.ts, tf.image.transform's semantics). Deterministic for a
 * given `rng` state. Returns new values (a copy for an identity config); `x` is not changed.
 */
export function augmentValues(
  x: Float32Array,
  shape: readonly [number, number, number, number],
  cfg: AugmentConfig,
  rng: Rng
): Float32Array {
  const c = resolveAugmentConfig(cfg)
  const [b, h, w] = shape
  if (isIdentityAugment(c)) return x.slice()
  return warpAffine(x, shape, batchAffineRows(rng, c, b, h, w), c)
}

/** augmentValues on a tfjs batch `[b, H, W, C]` (any backend): returns a new tensor; `x` is left to the caller. */
export function augmentBatch(x: tf.Tensor4D, cfg: AugmentConfig, rng: Rng): tf.Tensor4D {
  if (x.rank !== 4)
    throw new AppError('INVALID_ARGUMENT', `augmentBatch: expected [b, H, W, C] images, got shape [${x.shape}]`)
  const values = augmentValues(Float32Array.from(x.dataSync()), x.shape, cfg, rng)
  return tf.tensor4d(values, x.shape)
}

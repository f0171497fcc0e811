import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { batchAffineRows } from '../../../src/main/training/augment/affine'
import { resolveAugmentConfig, type AugmentConfig } from '../../../src/main/training/augment/config'
import { warpAffine } from '../../../src/main/training/augment/warp-affine'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const N = 3
const H = 17
const W = 23
const C = 3
const STRONG = { rotationDeg: 40, widthShift: 0.4, heightShift: 0.4, zoom: 0.5, horizontalFlip: true }

/** Patterned images: each pixel and channel distinct, so a misplaced read shows. */
function images(seed: number): Float32Array {
  const rng = mulberry32(seed)
  return Float32Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 0.37) + 0.3 * rng())
}

function bothWays(cfg: AugmentConfig, seed: number): { ours: Float32Array; tfjs: Float32Array } {
  const r = resolveAugmentConfig(cfg)
  const rows = batchAffineRows(mulberry32(seed), r, N, H, W)
  const x = images(seed)
  const ours = warpAffine(x, [N, H, W, C], rows, r)
  // tfjs-backend-cpu's Transform returns after the first image of a batch (4.22), so one call per image.
  const tfjs = tf.tidy(() => {
    const t = tf.tensor4d(x, [N, H, W, C])
    const parts = tf
      .split(t, N, 0)
      .map((img, i) => tf.image.transform(img as tf.Tensor4D, tf.tensor2d([rows[i]]), r.interpolation, r.fillMode))
    return tf.concat(parts, 0).dataSync() as Float32Array
  })
  return { ours, tfjs }
}

describe('warpAffine (tf.image.transform on typed arrays)', () => {
  for (const fillMode of ['nearest', 'constant', 'reflect', 'wrap'] as const) {
    for (const interpolation of ['bilinear', 'nearest'] as const) {
      it(`equals tf.image.transform: fill '${fillMode}', ${interpolation} sampling`, () => {
        for (const seed of [1, 2, 3, 4]) {
          const { ours, tfjs } = bothWays({ ...STRONG, fillMode, interpolation }, seed)
          let worst = 0
          for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - tfjs[i]))
          // Bilinear: the same weights summed in another order, float32 rounding (values up to 1.3); a wrong read is off by ~0.1.
          expect(worst).toBeLessThan(interpolation === 'nearest' ? 1e-7 : 1e-5)
        }
      })
    }
  }

  it('moves pixels (a strong transform is not the identity) and the identity row copies', () => {
    const x = images(5)
    const moved = warpAffine(x, [N, H, W, C], batchAffineRows(mulberry32(5), resolveAugmentConfig(STRONG), N, H, W), {
      fillMode: 'nearest',
      interpolation: 'bilinear'
    })
    expect(moved.some((v, i) => Math.abs(v - x[i]) > 0.1)).toBe(true)
    const identity = Array.from({ length: N }, () => [1, 0, 0, 0, 1, 0, 0, 0])
    expect(warpAffine(x, [N, H, W, C], identity, { fillMode: 'constant', interpolation: 'bilinear' })).toEqual(x)
  })
})

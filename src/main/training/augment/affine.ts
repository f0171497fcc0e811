import type { Rng } from '../loop/random'
import type { ResolvedAugmentConfig } from './config'

/** Parameters of one image's random transform. */
export interface AffineParams {
  /** Rotation in radians about the image centre (the range is symmetric, so the sign convention is immaterial). */
  theta: number
  /** Shift along x (columns) and y (rows), in pixels. */
  tx: number
  ty: number
  /** Sampling scale along x and y (1 = unchanged, > 1 zooms out). */
  zx: number
  zy: number
  /** Mirror left–right after the affine part. */
  flip: boolean
}

/**
 * Draws one image's parameters. Six numbers are always drawn in a fixed order, so switching one
 * transform off does not change the values the others get for the same seed.
 */
export function sampleAffineParams(rng: Rng, cfg: ResolvedAugmentConfig, height: number, width: number): AffineParams {
  const sym = (range: number): number => (2 * rng() - 1) * range
  const theta = (sym(cfg.rotationDeg) * Math.PI) / 180
  const tx = sym(cfg.widthShift) * width
  const ty = sym(cfg.heightShift) * height
  const zx = 1 + sym(cfg.zoom)
  const zy = 1 + sym(cfg.zoom)
  const flip = rng() < 0.5 && cfg.horizontalFlip
  return { theta, tx, ty, zx, zy, flip }
}

/**
 * The 8-number projective row of tf.image.transform for these parameters: it maps an OUTPUT pixel
 * (x, y) to the INPUT point it samples, x' = a0·x + a1·y + a2, y' = b0·x + b1·y + b2 (c0 = c1 = 0).
 * As in Keras, rotation, shift and zoom act about the image centre: in − c = R(θ)·(Z·(out − c) + t).
 */
export function affineRow(p: AffineParams, height: number, width: number): number[] {
  const cx = (width - 1) / 2
  const cy = (height - 1) / 2
  const cos = Math.cos(p.theta)
  const sin = Math.sin(p.theta)
  let a0 = cos * p.zx
  const a1 = -sin * p.zy
  let b0 = sin * p.zx
  const b1 = cos * p.zy
  let a2 = cx - (a0 * cx + a1 * cy) + (cos * p.tx - sin * p.ty)
  let b2 = cy - (b0 * cx + b1 * cy) + (sin * p.tx + cos * p.ty)
  if (p.flip) {
    // Output column x comes from column (width - 1 - x) of the unflipped result.
    a2 += a0 * (width - 1)
    b2 += b0 * (width - 1)
    a0 = -a0
    b0 = -b0
  }
  return [a0, a1, a2, b0, b1, b2, 0, 0]
}

/**
 * The transform rows of a batch of `n` images, drawn in image order from one `rng`.
 */
export function batchAffineRows(
  rng: Rng,
  cfg: ResolvedAugmentConfig,
  n: number,
  height: number,
  width: number
): number[][] {
  return Array.from({ length: n }, () => affineRow(sampleAffineParams(rng, cfg, height, width), height, width))
}

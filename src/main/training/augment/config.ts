import { AppError } from '../../../shared/errors'

/**
 * Random geometric augmentation, as Keras' ImageDataGenerator. Set a range to 0 (or a flag to false)
 * to switch that transform off.
 */
export interface AugmentConfig {
  /** Rotation drawn uniformly from ±rotationDeg degrees. Default 20. */
  rotationDeg?: number
  /** Horizontal shift drawn from ±widthShift × image width. Default 0.2. */
  widthShift?: number
  /** Vertical shift drawn from ±heightShift × image height. Default 0.2. */
  heightShift?: number
  /** Scale factors along x and y drawn independently from [1 - zoom, 1 + zoom] (>1 zooms out). Default 0.2. */
  zoom?: number
  /** Mirror left–right with probability 0.5. Default true. */
  horizontalFlip?: boolean
  /** How pixels outside the source image are filled. Default 'nearest' (edge replication). */
  fillMode?: 'nearest' | 'constant' | 'reflect' | 'wrap'
  /** Resampling. Default 'bilinear' (Keras' interpolation_order=1). */
  interpolation?: 'bilinear' | 'nearest'
}

/** An AugmentConfig with every default filled in. */
export type ResolvedAugmentConfig = Required<AugmentConfig>

/** The seed project's augmentation. */
export const DEFAULT_AUGMENT: ResolvedAugmentConfig = {
  rotationDeg: 20,
  widthShift: 0.2,
  heightShift: 0.2,
  zoom: 0.2,
  horizontalFlip: true,
  fillMode: 'nearest',
  interpolation: 'bilinear'
}

/** Fills defaults and validates ranges; throws INVALID_ARGUMENT naming the bad field. */
export function resolveAugmentConfig(cfg: AugmentConfig = {}): ResolvedAugmentConfig {
  const r = { ...DEFAULT_AUGMENT }
  for (const [k, v] of Object.entries(cfg)) if (v !== undefined) (r as Record<string, unknown>)[k] = v
  const nonNeg = (name: keyof AugmentConfig, v: number, max: number): void => {
    if (!(v >= 0 && v <= max))
      throw new AppError('INVALID_ARGUMENT', `augment config: ${name} must be in [0, ${max}], got ${v}`)
  }
  nonNeg('rotationDeg', r.rotationDeg, 180)
  nonNeg('widthShift', r.widthShift, 1)
  nonNeg('heightShift', r.heightShift, 1)
  nonNeg('zoom', r.zoom, 0.99)
  return r
}

/** True when the config changes nothing (every transform off). */
export function isIdentityAugment(cfg: ResolvedAugmentConfig): boolean {
  return cfg.rotationDeg === 0 && cfg.widthShift === 0 && cfg.heightShift === 0 && cfg.zoom === 0 && !cfg.horizontalFlip
}

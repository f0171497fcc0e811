import { AppError } from '../../../shared/errors'

/**
 * The classification head of the recipe: GAP → BN 'bn1' → Dense 'fc1' (ReLU) → Dropout 'dropout1'
 * → Dense 'fc2' (ReLU) → BN 'bn2' → Dropout 'dropout2' → Dense 'output' (softmax).
 * Defaults are the seed project's (512, 256, 0.5, 0.3).
 */
export interface HeadConfig {
  /** Number of classes K (≥ 2): width of the softmax 'output' layer. */
  numClasses: number
  /** Units of 'fc1'. Default 512. */
  fc1Units?: number
  /** Units of 'fc2'. Default 256. */
  fc2Units?: number
  /** Drop rate of 'dropout1' in [0, 1). Default 0.5. */
  dropout1?: number
  /** Drop rate of 'dropout2' in [0, 1). Default 0.3. */
  dropout2?: number
  /** Seed of the Glorot-uniform kernel initialisers (each layer gets its own derived seed). Default 0. */
  seed?: number
}

/** A HeadConfig with every default filled in. */
export type ResolvedHeadConfig = Required<HeadConfig>

/** The seed project's head widths and rates (K must still be given). */
export const DEFAULT_HEAD: Omit<ResolvedHeadConfig, 'numClasses'> = {
  fc1Units: 512,
  fc2Units: 256,
  dropout1: 0.5,
  dropout2: 0.3,
  seed: 0
}

function positiveInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) {
    throw new AppError('INVALID_ARGUMENT', `head config: ${name} must be an integer ≥ ${min}, got ${v}`)
  }
}

function rate(name: string, v: number): void {
  if (!(v >= 0 && v < 1)) throw new AppError('INVALID_ARGUMENT', `head config: ${name} must be in [0, 1), got ${v}`)
}

/** Fills defaults and validates; throws INVALID_ARGUMENT naming the bad field. */
export function resolveHeadConfig(cfg: HeadConfig): ResolvedHeadConfig {
  const r: ResolvedHeadConfig = { ...DEFAULT_HEAD, ...stripUndefined(cfg) } as ResolvedHeadConfig
  positiveInt('numClasses', r.numClasses, 2)
  positiveInt('fc1Units', r.fc1Units, 1)
  positiveInt('fc2Units', r.fc2Units, 1)
  rate('dropout1', r.dropout1)
  rate('dropout2', r.dropout2)
  if (!Number.isInteger(r.seed))
    throw new AppError('INVALID_ARGUMENT', `head config: seed must be an integer, got ${r.seed}`)
  return r
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

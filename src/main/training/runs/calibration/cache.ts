import type { SettingsStore } from '../../../catalog/settings'

/** Catalog setting holding measured speeds, keyed by part, backend and input size. */
export const CALIBRATION_SETTING = 'training.calibration'

/** Measurements older than this are taken again (drivers, backends and machines change). */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000

/** One cached measurement with when it was taken. */
export type CachedPart<T> = T & { measuredAt: string }

type Stored = Record<string, CachedPart<Record<string, unknown>>>

/** Cache keys: embedding and stage 2 depend on backend and input size; the head on backend and batch size. */
export const calibrationKeys = {
  embed: (backend: string, inputSize: number, arch: string) => `embed|${backend}|${inputSize}|${arch}`,
  // v2: measured on the trainer stage 1 uses (ONNX Runtime where it loads), not the tfjs head.
  head: (backend: string, batchSize: number) => `head|v2|${backend}|b${batchSize}`,
  stage2: (backend: string, inputSize: number, unfreeze: number, arch: string) =>
    // v2: measured on the engine stage 2 really uses (ONNX Runtime where it loads), not tfjs alone.
    `stage2|v2|${backend}|${inputSize}|u${unfreeze}|${arch}`,
  /** Start of an engine process (Node, tfjs and the backend), which every run pays once. */
  engine: (backend: string) => `engine|${backend}`
}

/**
 * Measured training speeds in the catalog settings (`training.calibration`), so the estimate only starts an
 * engine process the first time a backend, input size or unfreeze depth is seen.
 */
export class CalibrationCache {
  constructor(private readonly settings: SettingsStore) {}

  private all(): Stored {
    const v = this.settings.get(CALIBRATION_SETTING)?.value
    return v && typeof v === 'object' ? (v as Stored) : {}
  }

  /** The part stored under `key`, or null when missing or stale. */
  get<T>(key: string): CachedPart<T> | null {
    const hit = this.all()[key]
    if (!hit || Date.now() - Date.parse(hit.measuredAt) > MAX_AGE_MS) return null
    return hit as unknown as CachedPart<T>
  }

  /** Stores the parts of a measurement under their keys. */
  put(entries: Record<string, object>): void {
    const now = new Date().toISOString()
    const all = this.all()
    for (const [k, v] of Object.entries(entries)) all[k] = { ...v, measuredAt: now }
    this.settings.set(CALIBRATION_SETTING, all)
  }

  /** Forgets every measurement (tests; after a hardware change). */
  clear(): void {
    this.settings.set(CALIBRATION_SETTING, {})
  }
}

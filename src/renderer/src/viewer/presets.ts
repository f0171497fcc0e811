/**
 * Window/level presets. CT presets are fixed windows in HU and are offered only for CT (or HU) images; the
 * others are computed from the image on screen (its stored window, its value range, percentiles of its
 * pixels), so they work for MR and any other modality whose values carry no absolute meaning.
 */
export type WindowPresetId = 'auto' | 'voi-lut' | 'brain' | 'subdural' | 'bone' | 'full' | 'p1-99' | 'p5-95'

export interface WindowPreset {
  id: WindowPresetId
  label: string
  /**
   * 'file': the file's first window (0028,1050)/(0028,1051), or the one main derived from the pixels when the
   * file stores none; 'range': the frame's min..max; 'percentile': `lo`..`hi` percent of the frame's values;
   * 'ct': `center`/`width` in HU; 'lut': the file's VOI LUT Sequence (0028,3010), offered only when it has one.
   */
  kind: 'file' | 'lut' | 'range' | 'percentile' | 'ct'
  center?: number
  width?: number
  /** Percentiles, 0..100, for kind 'percentile'. */
  lo?: number
  hi?: number
  /** Keyboard shortcut shown in the UI and the help overlay. */
  shortcut: string
}

/** Every preset, in toolbar order. Shift+digit by physical key. */
export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'auto', label: 'Auto', kind: 'file', shortcut: 'Shift+1' },
  { id: 'voi-lut', label: 'VOI LUT', kind: 'lut', shortcut: 'Shift+8' },
  { id: 'brain', label: 'Brain', kind: 'ct', center: 40, width: 80, shortcut: 'Shift+2' },
  { id: 'subdural', label: 'Subdural', kind: 'ct', center: 75, width: 215, shortcut: 'Shift+3' },
  { id: 'bone', label: 'Bone', kind: 'ct', center: 600, width: 2800, shortcut: 'Shift+4' },
  { id: 'full', label: 'Full range', kind: 'range', shortcut: 'Shift+5' },
  { id: 'p1-99', label: '1–99 %', kind: 'percentile', lo: 1, hi: 99, shortcut: 'Shift+6' },
  { id: 'p5-95', label: '5–95 %', kind: 'percentile', lo: 5, hi: 95, shortcut: 'Shift+7' }
]

/**
 * CT presets only where values are Hounsfield units: modality (0008,0060) CT or units 'HU'; the VOI LUT preset
 * only when the frame carries a VOI LUT Sequence (0028,3010).
 */
export function presetsFor(modality: string | undefined, units: string, hasVoiLut = false): readonly WindowPreset[] {
  const hu = modality === 'CT' || units === 'HU'
  return WINDOW_PRESETS.filter((p) => (p.kind !== 'ct' || hu) && (p.kind !== 'lut' || hasVoiLut))
}

/** What a preset sets, for its tooltip. */
export function presetTitle(p: WindowPreset): string {
  switch (p.kind) {
    case 'ct':
      return `C ${p.center} / W ${p.width} HU (${p.shortcut})`
    case 'file':
      return `The file's VOI LUT or window, or 1–99 % of the pixels when it stores none (${p.shortcut})`
    case 'lut':
      return `The file's VOI LUT Sequence (0028,3010) (${p.shortcut})`
    case 'range':
      return `Lowest to highest value of the slice on screen (${p.shortcut})`
    case 'percentile':
      return `${p.lo}th to ${p.hi}th percentile of the slice on screen (${p.shortcut})`
  }
}

/**
 * The `lo`..`hi` percentiles of `values` (length n), from a 4096-bin histogram over [min, max]: exact to
 * 1/4096 of the range, linear in n, no sort. Returns [min, max] for a constant image.
 */
export function percentileRange(
  values: Float32Array,
  min: number,
  max: number,
  lo: number,
  hi: number
): [number, number] {
  if (!(max > min) || values.length === 0) return [min, max]
  const bins = 4096
  const hist = new Uint32Array(bins)
  const k = (bins - 1) / (max - min)
  for (let i = 0; i < values.length; i++) hist[Math.round((values[i] - min) * k)]++
  const at = (p: number): number => {
    const target = (p / 100) * values.length
    let acc = 0
    for (let b = 0; b < bins; b++) {
      acc += hist[b]
      if (acc >= target) return min + b / k
    }
    return max
  }
  return [at(lo), at(hi)]
}

/** Cine playback speed range, frames per second. */
export const MIN_FPS = 1
export const MAX_FPS = 60
export const DEFAULT_FPS = 10

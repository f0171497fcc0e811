/** A window/level preset: centre and width in modality units (HU for CT), or the file's own default. */
export interface WindowPreset {
  id: 'auto' | 'brain' | 'subdural' | 'bone'
  label: string
  /** Absent for 'auto': the file's first window (0028,1050)/(0028,1051), or one derived from its pixels. */
  center?: number
  width?: number
  /** Keyboard shortcut shown in the UI and the help overlay. */
  shortcut: string
}

/** Standard head CT windows (centre/width, HU) plus the file's own ('auto', used for MR). */
export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'auto', label: 'Auto', shortcut: 'Shift+1' },
  { id: 'brain', label: 'Brain', center: 40, width: 80, shortcut: 'Shift+2' },
  { id: 'subdural', label: 'Subdural', center: 75, width: 215, shortcut: 'Shift+3' },
  { id: 'bone', label: 'Bone', center: 600, width: 2800, shortcut: 'Shift+4' }
]

/** Cine playback speed range, frames per second. */
export const MIN_FPS = 1
export const MAX_FPS = 60
export const DEFAULT_FPS = 10

import type { WindowPresetId } from './presets'

/** What a key press asks the viewer to do. */
export type ViewerAction =
  | { kind: 'step'; by: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'zoom'; factor: number }
  | { kind: 'fit' }
  | { kind: 'actual-size' }
  | { kind: 'invert' }
  | { kind: 'reset-window' }
  | { kind: 'next-file-window' }
  | { kind: 'preset'; id: WindowPresetId }
  | { kind: 'cine' }
  | { kind: 'tags' }
  | { kind: 'anonymise' }
  | { kind: 'measure'; tool: 'length' | 'ellipse' }
  | { kind: 'compare' }
  | { kind: 'sync' }
  | { kind: 'help' }
  | { kind: 'close' }

/** The fields of a KeyboardEvent the mapping reads (a plain object in tests). */
export interface KeyPress {
  key: string
  code: string
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
}

/** Zoom step of +/- and of one wheel notch (Ctrl+wheel, or the wheel when the preference says zoom). */
export const ZOOM_STEP = 1.25

const PRESET_CODES: Record<string, WindowPresetId> = {
  Digit1: 'auto',
  Digit2: 'brain',
  Digit3: 'subdural',
  Digit4: 'bone',
  Digit5: 'full',
  Digit6: 'p1-99',
  Digit7: 'p5-95',
  Digit8: 'voi-lut'
}

/**
 * Maps a key press to a viewer action, or null when the viewer does not use it. Ctrl/Cmd/Alt combinations
 * are left to the shell (Ctrl+1..5 switch views). Presets use Shift+digit by physical key (`code`) so they
 * work on any keyboard layout; plain 1 is 1:1 zoom.
 */
export function actionForKey(e: KeyPress): ViewerAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  if (e.shiftKey && PRESET_CODES[e.code]) return { kind: 'preset', id: PRESET_CODES[e.code] }
  switch (e.key) {
    case 'ArrowUp':
    case 'ArrowLeft':
      return { kind: 'step', by: -1 }
    case 'ArrowDown':
    case 'ArrowRight':
      return { kind: 'step', by: 1 }
    case 'PageUp':
      return { kind: 'step', by: -10 }
    case 'PageDown':
      return { kind: 'step', by: 10 }
    case 'Home':
      return { kind: 'first' }
    case 'End':
      return { kind: 'last' }
    case '+':
    case '=':
      return { kind: 'zoom', factor: ZOOM_STEP }
    case '-':
    case '_':
      return { kind: 'zoom', factor: 1 / ZOOM_STEP }
    case '0':
    case 'f':
    case 'F':
      return { kind: 'fit' }
    case '1':
      return { kind: 'actual-size' }
    case 'i':
    case 'I':
      return { kind: 'invert' }
    case 'r':
    case 'R':
      return { kind: 'reset-window' }
    case 'w':
    case 'W':
      return { kind: 'next-file-window' }
    case ' ':
      return { kind: 'cine' }
    case 't':
    case 'T':
      return { kind: 'tags' }
    case 'a':
    case 'A':
      return { kind: 'anonymise' }
    case 'l':
    case 'L':
      return { kind: 'measure', tool: 'length' }
    case 'e':
    case 'E':
      return { kind: 'measure', tool: 'ellipse' }
    case 'c':
    case 'C':
      return { kind: 'compare' }
    case 's':
    case 'S':
      return { kind: 'sync' }
    case '?':
      return { kind: 'help' }
    case 'Escape':
      return { kind: 'close' }
    default:
      return null
  }
}

/** The help overlay's table: keys and what they do, in the order shown. */
export const SHORTCUT_HELP: readonly { keys: string; action: string }[] = [
  { keys: 'Mouse wheel', action: 'Previous / next slice (the Wheel setting can make it zoom instead)' },
  { keys: '↑ / ↓  or  ← / →', action: 'Previous / next slice or frame' },
  { keys: 'PgUp / PgDn', action: 'Back / forward 10 slices' },
  { keys: 'Home / End', action: 'First / last slice' },
  { keys: 'Space', action: 'Play / pause cine' },
  { keys: 'Ctrl+wheel  or  + / −', action: 'Zoom in / out (Ctrl+wheel zooms under the cursor)' },
  { keys: 'Left-drag', action: 'Pan' },
  { keys: 'Right-drag', action: 'Window (left/right) and level (up/down)' },
  { keys: '0  or  F', action: 'Fit to window' },
  { keys: '1', action: '1:1 (one image pixel per screen pixel)' },
  { keys: 'Shift+1', action: 'Auto window (the file’s VOI LUT or window, or 1–99 % of the pixels when it has none)' },
  { keys: 'Shift+2', action: 'Brain  C 40 / W 80 HU (CT only)' },
  { keys: 'Shift+3', action: 'Subdural  C 75 / W 215 HU (CT only)' },
  { keys: 'Shift+4', action: 'Bone  C 600 / W 2800 HU (CT only)' },
  { keys: 'Shift+5', action: 'Full range of the slice' },
  { keys: 'Shift+6 / Shift+7', action: '1–99 % / 5–95 % percentiles of the slice' },
  { keys: 'Shift+8', action: 'The file’s VOI LUT (0028,3010), when it has one' },
  { keys: 'W', action: 'Next window stored in the file' },
  { keys: 'R', action: 'Reset window/level to the file’s default' },
  { keys: 'I', action: 'Invert grey scale' },
  { keys: 'A', action: 'Anonymise overlay: hide / show patient name and ID' },
  { keys: 'L / E', action: 'Measure: length (mm) / elliptical ROI (mean, SD, area); left-drag draws, again to stop' },
  { keys: 'C', action: 'Compare: show another series of the study beside this one, with reference lines' },
  { keys: 'S', action: 'Compare: link / unlink scrolling of the two viewports' },
  { keys: 'T', action: 'Show / hide DICOM tags' },
  { keys: '?', action: 'Show / hide this help' },
  { keys: 'Esc', action: 'Close help or tags, stop measuring' }
]

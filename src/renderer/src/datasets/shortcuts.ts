import type { GridMove } from './virtual-grid'

/** The parts of a KeyboardEvent the mapping looks at (a plain object in tests). */
export interface KeyPress {
  key: string
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
}

/** What a key does in the curation grid. */
export type GridAction =
  /** Relabel the selection to the class at this position of the class list (0-based). */
  | { kind: 'relabel'; classIndex: number }
  | { kind: 'toggle-excluded' }
  | { kind: 'exclude' }
  | { kind: 'open' }
  | { kind: 'undo' }
  | { kind: 'select-all' }
  | { kind: 'clear' }
  /** Move the cursor; `extend` grows the selection from the anchor (Shift). */
  | { kind: 'move'; move: GridMove; extend: boolean }
  /** Toggle the cursor item in the selection (Space, like Ctrl-click). */
  | { kind: 'toggle-cursor' }

const MOVES: Record<string, GridMove> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  Home: 'home',
  End: 'end'
}

/**
 * Maps a key press to a grid action, or null when the key is not ours. Ctrl+digit is left alone because the
 * shell uses it to switch views; Alt combinations are left to the browser.
 */
export function gridActionForKey(e: KeyPress): GridAction | null {
  if (e.altKey) return null
  const mod = e.ctrlKey || e.metaKey
  if (mod) {
    const k = e.key.toLowerCase()
    if (k === 'z' && !e.shiftKey) return { kind: 'undo' }
    if (k === 'a') return { kind: 'select-all' }
    return null
  }
  if (/^[1-9]$/.test(e.key)) return { kind: 'relabel', classIndex: Number(e.key) - 1 }
  if (e.key === 'x' || e.key === 'X') return { kind: 'toggle-excluded' }
  if (e.key === 'Delete' || e.key === 'Backspace') return { kind: 'exclude' }
  if (e.key === 'Enter') return { kind: 'open' }
  if (e.key === 'Escape') return { kind: 'clear' }
  if (e.key === ' ') return { kind: 'toggle-cursor' }
  const move = MOVES[e.key]
  return move ? { kind: 'move', move, extend: e.shiftKey } : null
}

/** The grid's keys, for the help line under the toolbar. */
export const GRID_KEYS: readonly { keys: string; action: string }[] = [
  { keys: '1–9', action: 'relabel' },
  { keys: 'X', action: 'exclude/include' },
  { keys: 'Del', action: 'exclude' },
  { keys: 'Enter', action: 'open' },
  { keys: 'Ctrl+Z', action: 'undo' },
  { keys: 'Ctrl+A', action: 'select all' },
  { keys: 'Shift/Ctrl+click', action: 'range/toggle' }
]

import { describe, expect, it } from 'vitest'
import type { CurationOp } from '../../../src/shared/contract/datasets'
import {
  folderName,
  formatBytes,
  formatCount,
  formatSeconds,
  undoLabel
} from '../../../src/renderer/src/datasets/labels'
import { gridActionForKey, type KeyPress } from '../../../src/renderer/src/datasets/shortcuts'
import { isItemDrag, ITEM_DRAG_MIME } from '../../../src/renderer/src/datasets/drag'

const key = (k: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...more
})

describe('curation keys', () => {
  it('number keys 1–9 relabel to the class at that position of the list', () => {
    expect(gridActionForKey(key('1'))).toEqual({ kind: 'relabel', classIndex: 0 })
    expect(gridActionForKey(key('9'))).toEqual({ kind: 'relabel', classIndex: 8 })
    expect(gridActionForKey(key('0'))).toBeNull()
  })

  it('leaves Ctrl+digit to the shell (view switching) and Alt combinations to the browser', () => {
    expect(gridActionForKey(key('2', { ctrlKey: true }))).toBeNull()
    expect(gridActionForKey(key('x', { altKey: true }))).toBeNull()
  })

  it('maps exclusion, open, undo, select-all, clear and cursor moves', () => {
    expect(gridActionForKey(key('x'))).toEqual({ kind: 'toggle-excluded' })
    expect(gridActionForKey(key('X'))).toEqual({ kind: 'toggle-excluded' })
    expect(gridActionForKey(key('Delete'))).toEqual({ kind: 'exclude' })
    expect(gridActionForKey(key('Enter'))).toEqual({ kind: 'open' })
    expect(gridActionForKey(key('z', { ctrlKey: true }))).toEqual({ kind: 'undo' })
    expect(gridActionForKey(key('Z', { metaKey: true }))).toEqual({ kind: 'undo' })
    expect(gridActionForKey(key('z', { ctrlKey: true, shiftKey: true }))).toBeNull()
    expect(gridActionForKey(key('a', { ctrlKey: true }))).toEqual({ kind: 'select-all' })
    expect(gridActionForKey(key('Escape'))).toEqual({ kind: 'clear' })
    expect(gridActionForKey(key('ArrowDown', { shiftKey: true }))).toEqual({ kind: 'move', move: 'down', extend: true })
    expect(gridActionForKey(key('PageUp'))).toEqual({ kind: 'move', move: 'pageUp', extend: false })
    expect(gridActionForKey(key('q'))).toBeNull()
  })

  it('recognises a drag of grid items by its MIME type', () => {
    expect(isItemDrag([ITEM_DRAG_MIME, 'text/plain'])).toBe(true)
    expect(isItemDrag(['Files'])).toBe(false)
    expect(isItemDrag(undefined)).toBe(false)
  })
})

describe('labels', () => {
  const op = (summary: string): CurationOp => ({ id: 1, datasetId: 1, kind: 'relabel', summary, createdAt: '' })

  it('says what undo will undo, shortened to fit the button', () => {
    expect(undoLabel(null)).toBe('Nothing to undo')
    expect(undoLabel(op('relabel 3 item(s) to "glioma"'))).toBe('Undo relabel 3 item(s) to "glioma"')
    const long = undoLabel(op(`merge ${'"x", '.repeat(30)}into "y"`), 40)
    expect(long).toHaveLength(40)
    expect(long.endsWith('…')).toBe(true)
  })

  it('formats counts, bytes, durations and folder names', () => {
    expect(formatCount(20_000)).toBe('20,000')
    expect(formatCount(999)).toBe('999')
    expect(formatCount(1_234_567)).toBe('1,234,567')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(2048)).toBe('2 KB')
    expect(formatBytes(5 * 1024 * 1024 + 100_000)).toBe('5.1 MB')
    expect(formatSeconds(4.25)).toBe('4.3 s')
    expect(formatSeconds(42.4)).toBe('42 s')
    expect(formatSeconds(185)).toBe('3 min 05 s')
    expect(folderName('/data/brain-mri/')).toBe('brain-mri')
    expect(folderName('C:\\scans\\tumours')).toBe('tumours')
    expect(folderName('  ')).toBe('')
  })
})

import { describe, expect, it } from 'vitest'
import type { FrameData, ImageEntry, SeriesGroup, TagRow } from '../../../src/shared/contract/imaging'
import { FrameStore } from '../../../src/renderer/src/viewer/frame-store'
import { actionForKey, SHORTCUT_HELP, type KeyPress } from '../../../src/renderer/src/viewer/shortcuts'
import { buildStack, formatValue } from '../../../src/renderer/src/viewer/stack'
import { filterTags } from '../../../src/renderer/src/viewer/tag-filter'
import { actualSizeView, fitView, imagePixelAt, panBy, zoomAt } from '../../../src/renderer/src/viewer/view-transform'

const key = (k: string, more: Partial<KeyPress> = {}): KeyPress => ({
  key: k,
  code: '',
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...more
})

describe('view transform', () => {
  it('fits and centres the image, 1:1 lands on whole pixels', () => {
    expect(fitView(512, 256, 1000, 800)).toEqual({
      scale: 1000 / 512,
      x: 0,
      y: (800 - 256 * (1000 / 512)) / 2,
      aspect: 1
    })
    expect(actualSizeView(513, 256, 1000, 801)).toEqual({ scale: 1, x: 244, y: 273, aspect: 1 })
  })

  it('zooms about the cursor, so the image point under it stays put', () => {
    const v = { scale: 2, x: 10, y: 20, aspect: 1 }
    const z = zoomAt(v, 1.25, 300, 200)
    const before = imagePixelAt(v, 300, 200, 1000, 1000)
    const after = imagePixelAt(z, 300, 200, 1000, 1000)
    expect(z.scale).toBe(2.5)
    expect(after).toEqual(before)
    expect(zoomAt({ scale: 60, x: 0, y: 0, aspect: 1 }, 4, 0, 0).scale).toBe(64)
  })

  it('pans and maps canvas points to image pixels, null outside', () => {
    const v = panBy({ scale: 2, x: 0, y: 0, aspect: 1 }, 10, 4)
    expect(imagePixelAt(v, 10, 4, 8, 8)).toEqual({ x: 0, y: 0 })
    expect(imagePixelAt(v, 25.9, 19.9, 8, 8)).toEqual({ x: 7, y: 7 })
    expect(imagePixelAt(v, 26, 4, 8, 8)).toBeNull()
    expect(imagePixelAt(v, 9, 4, 8, 8)).toBeNull()
  })
})

describe('keyboard shortcuts', () => {
  it('maps the keys radiologists expect', () => {
    expect(actionForKey(key('ArrowDown'))).toEqual({ kind: 'step', by: 1 })
    expect(actionForKey(key('ArrowUp'))).toEqual({ kind: 'step', by: -1 })
    expect(actionForKey(key('PageDown'))).toEqual({ kind: 'step', by: 10 })
    expect(actionForKey(key('+'))?.kind).toBe('zoom')
    expect(actionForKey(key('0'))).toEqual({ kind: 'fit' })
    expect(actionForKey(key('F'))).toEqual({ kind: 'fit' })
    expect(actionForKey(key('1'))).toEqual({ kind: 'actual-size' })
    expect(actionForKey(key('i'))).toEqual({ kind: 'invert' })
    expect(actionForKey(key('r'))).toEqual({ kind: 'reset-window' })
    expect(actionForKey(key(' '))).toEqual({ kind: 'cine' })
    expect(actionForKey(key('?'))).toEqual({ kind: 'help' })
  })

  it('uses Shift+digit by physical key for presets and leaves Ctrl combinations to the shell', () => {
    expect(actionForKey(key('!', { code: 'Digit1', shiftKey: true }))).toEqual({ kind: 'preset', id: 'auto' })
    expect(actionForKey(key('"', { code: 'Digit2', shiftKey: true }))).toEqual({ kind: 'preset', id: 'brain' })
    expect(actionForKey(key('§', { code: 'Digit4', shiftKey: true }))).toEqual({ kind: 'preset', id: 'bone' })
    expect(actionForKey(key('2', { code: 'Digit2', ctrlKey: true }))).toBeNull()
    expect(actionForKey(key('q'))).toBeNull()
  })

  it('maps Shift+5..7 and A, and documents them', () => {
    expect(actionForKey(key('%', { code: 'Digit5', shiftKey: true }))).toEqual({ kind: 'preset', id: 'full' })
    expect(actionForKey(key('^', { code: 'Digit6', shiftKey: true }))).toEqual({ kind: 'preset', id: 'p1-99' })
    expect(actionForKey(key('&', { code: 'Digit7', shiftKey: true }))).toEqual({ kind: 'preset', id: 'p5-95' })
    expect(actionForKey(key('a'))).toEqual({ kind: 'anonymise' })
    const help = SHORTCUT_HELP.map((s) => `${s.keys} ${s.action}`).join('\n')
    for (const k of ['Shift+5', 'Shift+6', 'A', 'Mouse wheel', 'Ctrl+wheel']) expect(help).toContain(k)
    expect(SHORTCUT_HELP[0]).toEqual({
      keys: 'Mouse wheel',
      action: 'Previous / next slice (the Wheel setting can make it zoom instead)'
    })
  })

  it('documents every mapped key in the help overlay', () => {
    const documented = SHORTCUT_HELP.map((s) => s.keys).join(' ')
    for (const k of [
      'PgUp',
      'Home',
      'Space',
      '0',
      'F',
      '1',
      'Shift+2',
      'Shift+3',
      'Shift+4',
      'W',
      'R',
      'I',
      'T',
      '?',
      'Esc'
    ])
      expect(documented).toContain(k)
  })
})

function entry(name: string, frames: number, problem?: ImageEntry['problem']): ImageEntry {
  return { path: `/d/${name}`, name, kind: 'dicom', width: 4, height: 4, frames, ...(problem ? { problem } : {}) }
}

describe('stack and readout', () => {
  it('flattens files and frames into slider positions, one for an unreadable file', () => {
    const g: SeriesGroup = {
      key: 'k',
      label: 'l',
      entries: [entry('a', 1), entry('b', 3), entry('c', 5, { code: 'CORRUPT', message: 'bad' })]
    }
    expect(buildStack(g).map((s) => `${s.entry.name}${s.frame}`)).toEqual(['a0', 'b0', 'b1', 'b2', 'c0'])
    expect(buildStack(null)).toEqual([])
  })

  it('formats values with units', () => {
    expect(formatValue(-12, 'HU')).toBe('-12 HU')
    expect(formatValue(3.14159, '')).toBe('3.142')
    expect(formatValue(1234.567, 'US')).toBe('1234.57 US')
  })
})

describe('tag search', () => {
  const rows: TagRow[] = [
    { tag: '(0010,0020)', keyword: 'PatientID', vr: 'LO', value: 'VIEW-0001', depth: 0 },
    { tag: '(0028,1050)', keyword: 'WindowCenter', vr: 'DS', value: '40\\600', depth: 0 },
    { tag: '(0028,1051)', keyword: 'WindowWidth', vr: 'DS', value: '80\\2800', depth: 0 }
  ]
  it('matches tag, keyword or value, all words, case-insensitively', () => {
    expect(filterTags(rows, 'window').map((r) => r.keyword)).toEqual(['WindowCenter', 'WindowWidth'])
    expect(filterTags(rows, 'window center').map((r) => r.keyword)).toEqual(['WindowCenter'])
    expect(filterTags(rows, '0010,0020').map((r) => r.keyword)).toEqual(['PatientID'])
    expect(filterTags(rows, 'view-0001')).toHaveLength(1)
    expect(filterTags(rows, '  ')).toHaveLength(3)
    expect(filterTags(rows, 'nothing')).toHaveLength(0)
  })
})

describe('frame store', () => {
  const frameOf = (path: string, frame: number, n: number): FrameData => ({
    path,
    frame,
    frames: 9,
    width: n,
    height: 1,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    modality: new Float32Array(n),
    min: 0,
    max: 0,
    integer: true,
    windows: [],
    voiLutFunction: 'LINEAR',
    invert: false,
    units: ''
  })

  it('shares in-flight requests, reuses frames and evicts the least recently used over budget', async () => {
    const calls: string[] = []
    const store = new FrameStore(async (p, f) => {
      calls.push(`${p}#${f}`)
      return frameOf(p, f, 100)
    }, 1000)
    const [a, b] = await Promise.all([store.get('/x', 0), store.get('/x', 0)])
    expect(a).toBe(b)
    expect(calls).toEqual(['/x#0'])
    await store.get('/x', 1)
    store.peek('/x', 0)
    await store.get('/x', 2) // 3 × 400 bytes > 1000: the least recently used (frame 1) goes
    expect(store.size).toBe(2)
    expect(store.peek('/x', 1)).toBeUndefined()
    expect(store.peek('/x', 0)).toBe(a)
    store.prefetch([
      { path: '/y', frame: 0 },
      { path: '/x', frame: 0 }
    ])
    await store.get('/y', 0)
    expect(calls).toEqual(['/x#0', '/x#1', '/x#2', '/y#0'])
  })

  it('does not keep failed fetches', async () => {
    let fail = true
    const store = new FrameStore(async (p, f) => {
      if (fail) throw new Error('CORRUPT')
      return frameOf(p, f, 4)
    })
    await expect(store.get('/z', 0)).rejects.toThrow('CORRUPT')
    fail = false
    expect((await store.get('/z', 0)).path).toBe('/z')
  })
})

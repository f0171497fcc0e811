import { describe, expect, it } from 'vitest'
import {
  isSelected,
  NO_SELECTION,
  rangeBounds,
  resolveSelection,
  selectAll,
  selectedCount,
  selectIds,
  selectOnly,
  selectRange,
  toggleItem
} from '../../../src/renderer/src/datasets/selection'
import { keepNearest, withEntry, withoutEntry } from '../../../src/renderer/src/datasets/immutable-map'

describe('grid selection', () => {
  it('click selects one item and anchors there; ctrl-click toggles others in and out', () => {
    let s = selectOnly(10, 3)
    expect(selectedCount(s, 100)).toBe(1)
    s = toggleItem(s, 12, 5)
    s = toggleItem(s, 14, 7)
    expect([10, 12, 14].map((id) => isSelected(s, id))).toEqual([true, true, true])
    s = toggleItem(s, 12, 5)
    expect(isSelected(s, 12)).toBe(false)
    expect(s.anchor).toBe(5)
    expect(selectedCount(s, 100)).toBe(2)
  })

  it('shift-click selects from the anchor to the click in either direction, replacing or adding', () => {
    const s = selectOnly(10, 8)
    expect(rangeBounds(s, 3)).toEqual([3, 8])
    expect(rangeBounds(s, 12)).toEqual([8, 12])
    expect(rangeBounds(NO_SELECTION, 4)).toEqual([4, 4])
    const withOther = toggleItem(s, 99, 20)
    const replaced = selectRange({ ...withOther, anchor: 8 }, [10, 11, 12], false)
    expect(isSelected(replaced, 99)).toBe(false)
    expect(selectedCount(replaced, 100)).toBe(3)
    const added = selectRange({ ...withOther, anchor: 8 }, [10, 11, 12], true)
    expect(isSelected(added, 99)).toBe(true)
    expect(selectedCount(added, 100)).toBe(4)
    expect(added.anchor).toBe(8)
  })

  it('select-all covers every item in the filter without listing them; ctrl-click carves exceptions', async () => {
    let s = selectAll()
    expect(selectedCount(s, 20_000)).toBe(20_000)
    expect(isSelected(s, 123_456)).toBe(true)
    s = toggleItem(s, 7, 0)
    expect(isSelected(s, 7)).toBe(false)
    expect(selectedCount(s, 20_000)).toBe(19_999)
    const ids = await resolveSelection(s, async () => [5, 6, 7, 8])
    expect(ids).toEqual([5, 6, 8])
    // A Ctrl+Shift range over an exception puts it back.
    expect(isSelected(selectRange(s, [6, 7], true), 7)).toBe(true)
  })

  it('resolves explicit selections without asking for the filter', async () => {
    let asked = false
    const ids = await resolveSelection(toggleItem(selectOnly(1, 0), 2, 1), async () => {
      asked = true
      return []
    })
    expect(ids.sort()).toEqual([1, 2])
    expect(asked).toBe(false)
  })
})

describe('copy-on-write maps for page caches', () => {
  it('sets and deletes without touching the original', () => {
    const a: ReadonlyMap<number, string> = new Map([[1, 'a']])
    const b = withEntry(a, 2, 'b')
    expect([...a.keys()]).toEqual([1])
    expect([...b.keys()]).toEqual([1, 2])
    expect(withoutEntry(b, 1)).not.toBe(b)
    expect([...withoutEntry(b, 1).keys()]).toEqual([2])
    expect(withoutEntry(b, 9)).toBe(b)
  })

  it('keeps the pages nearest the screen when the cache is full', () => {
    const pages = new Map(Array.from({ length: 10 }, (_, p) => [p, `page ${p}`] as [number, string]))
    expect(keepNearest(pages, 2, 20)).toBe(pages)
    expect([...keepNearest(pages, 7.5, 4).keys()].sort((x, y) => x - y)).toEqual([6, 7, 8, 9])
    expect([...keepNearest(pages, 0, 3).keys()].sort((x, y) => x - y)).toEqual([0, 1, 2])
  })

  it('turns a resolved select-all into explicit ids', () => {
    const s = selectIds([4, 5])
    expect(s).toEqual({ mode: 'ids', ids: new Set([4, 5]), anchor: null })
    expect(isSelected(s, 6)).toBe(false)
  })
})

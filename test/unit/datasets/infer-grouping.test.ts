import { describe, expect, it } from 'vitest'
import { previewGrouping, suggestGrouping } from '../../../src/main/datasets/split/infer-grouping'
import type { GroupableItem } from '../../../src/main/datasets/split/group-items'

let nextId = 1
const item = (relPath: string, patientId: string | null = null): GroupableItem => ({
  id: nextId++,
  relPath,
  patientId,
  sha256: `sha-${nextId}`
})

describe('grouping inferred from paths', () => {
  it('proposes the file-name prefix before the slice number for flat PNG folders', () => {
    const items: GroupableItem[] = []
    for (const cls of ['glioma', 'normal'])
      for (let p = 0; p < 5; p++)
        for (let s = 0; s < 4; s++) items.push(item(`${cls}/PGL${cls[0]}${String(p).padStart(3, '0')}_slice${s}.png`))
    expect(previewGrouping(items, { kind: 'patient' })).toMatchObject({ items: 40, withoutKey: 40, groups: 40 })
    const s = suggestGrouping(items)!
    expect(s.preview.groupBy.kind).toBe('regex')
    expect(s.preview).toMatchObject({ items: 40, withoutKey: 0, groups: 10, largestGroup: 4 })
    expect(s.preview.keys[0]).toEqual({ key: 'PGLg000', size: 4 })
    expect(s.reason).toContain('40 of 40 items have no PatientID')
  })

  it('prefers the shallowest folder level that groups (patient before series)', () => {
    const items: GroupableItem[] = []
    for (let p = 0; p < 4; p++)
      for (const series of ['t1', 't2'])
        for (let s = 0; s < 3; s++) items.push(item(`tumour/sub-${p}/${series}/${s}.png`))
    const s = suggestGrouping(items)!
    expect(s.preview.groupBy).toEqual({ kind: 'folder', level: 1 })
    expect(s.preview.groups).toBe(4)
    expect(s.preview.keys.map((k) => k.key)).toContain('sub-0')
  })

  it('proposes nothing when PatientIDs cover most items, or when nothing in the paths groups', () => {
    const withIds = Array.from({ length: 10 }, (_, i) => item(`a/${i}.dcm`, `P${i % 3}`))
    expect(suggestGrouping(withIds)).toBeNull()
    const flat = Array.from({ length: 10 }, (_, i) => item(`a/scan-${'abcdefghij'[i]}.png`))
    expect(suggestGrouping(flat)).toBeNull()
  })

  it('previews a regex grouping with its keys and the items it misses', () => {
    const items = [item('a/sub-1_x.png'), item('a/sub-1_y.png'), item('b/sub-2_x.png'), item('b/other.png')]
    const p = previewGrouping(items, { kind: 'regex', pattern: '(sub-\\d+)_' })
    expect(p).toMatchObject({ items: 4, withoutKey: 1, groups: 3, largestGroup: 2 })
    expect(p.keys).toEqual([
      { key: 'sub-1', size: 2 },
      { key: 'sub-2', size: 1 }
    ])
  })
})

import { describe, expect, it } from 'vitest'
import type { ClassSummary } from '../../../src/shared/contract/datasets'
import { SplitRequest } from '../../../src/shared/contract/datasets'
import { balanceChartData } from '../../../src/renderer/src/datasets/balance-chart-data'
import {
  DEFAULT_SPLIT_FORM,
  describeGroupBy,
  formFromConfig,
  readSplitForm,
  trainPercent
} from '../../../src/renderer/src/datasets/split-form'

const cls = (id: number, name: string, train: number, val: number, test: number, unassigned: number): ClassSummary => ({
  id,
  datasetId: 1,
  name,
  total: train + val + test + unassigned,
  splits: { train, val, test, unassigned },
  excluded: 0
})

describe('split form', () => {
  it('turns percentages into a request the contract accepts', () => {
    const r = readSplitForm({ ...DEFAULT_SPLIT_FORM, valPercent: 10, testPercent: 20, seed: 7 })
    expect(r).toEqual({ ok: true, val: 0.1, test: 0.2, seed: 7, groupBy: { kind: 'patient' } })
    if (!r.ok) throw new Error('unreachable')
    expect(SplitRequest.safeParse({ datasetId: 1, ...r, ok: undefined }).success).toBe(false) // strict: no extra keys
    const { ok: _ok, ...req } = r
    expect(SplitRequest.safeParse({ datasetId: 1, ...req }).success).toBe(true)
    expect(trainPercent({ ...DEFAULT_SPLIT_FORM, valPercent: 10, testPercent: 20 })).toBe(70)
  })

  it('refuses fractions that leave no train split, bad seeds, bad levels and bad regexes, saying why', () => {
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, valPercent: 50, testPercent: 50 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('nothing for train')
    })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, valPercent: NaN })).toMatchObject({ ok: false })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, seed: 1.5 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('seed')
    })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, groupKind: 'folder', folderLevel: -1 })).toMatchObject({ ok: false })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, groupKind: 'regex', pattern: '  ' })).toMatchObject({ ok: false })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, groupKind: 'regex', pattern: '(' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('invalid regular expression')
    })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, groupKind: 'regex', pattern: '^([^/]+)/' })).toMatchObject({
      ok: true,
      groupBy: { kind: 'regex', pattern: '^([^/]+)/' }
    })
    expect(readSplitForm({ ...DEFAULT_SPLIT_FORM, groupKind: 'folder', folderLevel: 2 })).toMatchObject({
      ok: true,
      groupBy: { kind: 'folder', level: 2 }
    })
  })

  it('shows the last split again from its stored config', () => {
    const f = formFromConfig({
      train: 0.7,
      val: 0.1,
      test: 0.2,
      seed: 9,
      groupBy: { kind: 'regex', pattern: 'p(\\d+)' }
    })
    expect(f).toMatchObject({ valPercent: 10, testPercent: 20, seed: 9, groupKind: 'regex', pattern: 'p(\\d+)' })
    expect(describeGroupBy({ kind: 'folder', level: 1 })).toBe('folder level 1')
    expect(describeGroupBy({ kind: 'patient' })).toContain('(0010,0020)')
  })
})

describe('class balance chart data', () => {
  it('stacks train/val/test per class and shows "not split" only while some items have no split', () => {
    const before = balanceChartData([cls(1, 'glioma', 0, 0, 0, 12), cls(2, 'normal', 0, 0, 0, 8)])
    expect(before.labels).toEqual(['glioma', 'normal'])
    expect(before.series.map((s) => s.key)).toEqual(['train', 'val', 'test', 'unassigned'])
    expect(before.series[3].data).toEqual([12, 8])
    const after = balanceChartData([cls(1, 'glioma', 8, 2, 2, 0), cls(2, 'normal', 6, 1, 1, 0)])
    expect(after.series.map((s) => s.key)).toEqual(['train', 'val', 'test'])
    expect(after.series[0].data).toEqual([8, 6])
    expect(after.series[2].data).toEqual([2, 1])
  })
})

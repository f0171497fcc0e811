import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { assignSplits, type SplitGroup } from '../../../src/main/datasets/split/assign-splits'
import { groupItems, type GroupableItem } from '../../../src/main/datasets/split/group-items'
import { mulberry32 } from '../../../src/main/datasets/split/seeded-random'
import type { Api, DatasetItem, Split } from '../../../src/shared/contract'
import { importOk, openCore } from '../../fixtures/datasets/harness'
import { tempDir, writeDicom, writePng } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

describe('assignSplits', () => {
  it('never divides a group and tracks the fractions per class, for every seed', () => {
    const rand = mulberry32(5)
    // 300 patients, 1–12 images each, 3 classes of different sizes; a patient holds one class.
    const groups: SplitGroup[] = []
    let next = 1
    for (let p = 0; p < 300; p++) {
      const cls = rand() < 0.5 ? 0 : rand() < 0.7 ? 1 : 2
      const n = 1 + Math.floor(rand() * 12)
      groups.push({ itemIds: Array.from({ length: n }, () => next++), classCounts: new Map([[cls, n]]) })
    }
    const totals = [0, 0, 0]
    for (const g of groups) for (const [c, n] of g.classCounts) totals[c] += n
    for (let seed = 0; seed < 25; seed++) {
      const out = assignSplits(groups, { train: 0.7, val: 0.15, test: 0.15 }, seed)
      const perClass: Record<Split, number[]> = { train: [0, 0, 0], val: [0, 0, 0], test: [0, 0, 0] }
      for (const g of groups) {
        const splits = new Set(g.itemIds.map((id) => out.get(id)))
        expect(splits.size).toBe(1)
        for (const [c, n] of g.classCounts) perClass[out.get(g.itemIds[0])!][c] += n
      }
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(perClass.val[c] / totals[c] - 0.15)).toBeLessThan(0.04)
        expect(Math.abs(perClass.test[c] / totals[c] - 0.15)).toBeLessThan(0.04)
      }
    }
    const a = assignSplits(groups, { train: 0.7, val: 0.15, test: 0.15 }, 1)
    expect(assignSplits(groups, { train: 0.7, val: 0.15, test: 0.15 }, 1)).toEqual(a)
    expect(assignSplits(groups, { train: 0.7, val: 0.15, test: 0.15 }, 2)).not.toEqual(a)
  })

  it('gives nothing to a split with fraction 0', () => {
    const groups: SplitGroup[] = Array.from({ length: 50 }, (_, i) => ({
      itemIds: [i + 1],
      classCounts: new Map([[i % 2, 1]])
    }))
    const out = assignSplits(groups, { train: 0.8, val: 0.2, test: 0 }, 3)
    expect([...out.values()].filter((s) => s === 'test')).toEqual([])
    expect([...out.values()].filter((s) => s === 'val').length).toBe(10)
  })
})

describe('groupItems', () => {
  const item = (id: number, relPath: string, patientId: string | null, sha = `s${id}`): GroupableItem => ({
    id,
    relPath,
    patientId,
    sha256: sha
  })
  const items = [
    item(1, 'tumor/P1/a.png', 'X'),
    item(2, 'tumor/P1/b.png', 'Y'),
    item(3, 'normal/P1/c.png', null),
    item(4, 'normal/P2/d.png', 'X'),
    item(5, 'normal/e.png', null, 's1')
  ]
  it('groups by PatientID, folder level and regex, and always joins identical content', () => {
    expect(groupItems(items, { kind: 'patient' }).groups).toEqual([[1, 4, 5], [2], [3]])
    expect(groupItems(items, { kind: 'patient' }).withoutKey).toEqual(new Set([3, 5]))
    expect(groupItems(items, { kind: 'folder', level: 1 }).groups).toEqual([[1, 2, 3, 5], [4]])
    expect(groupItems(items, { kind: 'folder', level: 0 }).groups).toEqual([[1, 2, 3, 4, 5]])
    expect(groupItems(items, { kind: 'regex', pattern: '/(P\\d+)/' }).groups).toEqual([[1, 2, 3, 5], [4]])
    expect(groupItems(items, { kind: 'none' }).groups).toEqual([[1, 5], [2], [3], [4]])
  })
})

describe('split a dataset', () => {
  async function dicomDataset(): Promise<{ api: Api; datasetId: number }> {
    const data = tempDir('split')
    const ws = tempDir('split-ws')
    const { core, api } = openCore(ws.dir)
    cleanups.push(data.cleanup, ws.cleanup, () => core.close())
    // 24 patients, 1–4 slices each, in two classes; patient folders are named differently from the PatientID.
    let seed = 1
    for (let p = 0; p < 24; p++) {
      const cls = p % 3 === 0 ? 'glioma' : 'normal'
      for (let s = 0; s < 1 + (p % 4); s++) {
        writeDicom(path.join(data.dir, cls, `case${p}`, `s${s}.dcm`), {
          patientId: `PID-${p}`,
          seed: seed++,
          rows: 16,
          columns: 16
        })
      }
    }
    const r = await importOk(api, 'mri', data.dir)
    expect(r.imported).toBe(60)
    return { api, datasetId: r.datasetId }
  }

  const allItems = async (api: Api, datasetId: number): Promise<DatasetItem[]> =>
    (await api.datasets.listItems({ datasetId, limit: 1000 })).items

  it('keeps every patient in one split for every seed and reports per-split class counts', async () => {
    const { api, datasetId } = await dicomDataset()
    for (const seed of [0, 1, 2, 3, 7, 42, 1234, 99999]) {
      const report = await api.datasets.split({ datasetId, val: 0.2, test: 0.2, seed, groupBy: { kind: 'patient' } })
      const items = await allItems(api, datasetId)
      const byPatient = new Map<string, Set<Split | null>>()
      for (const i of items) byPatient.set(i.patientId!, (byPatient.get(i.patientId!) ?? new Set()).add(i.split))
      expect(byPatient.size).toBe(24)
      for (const splits of byPatient.values()) expect(splits.size).toBe(1)
      expect(items.every((i) => i.split !== null)).toBe(true)
      expect(report.groups).toBe(24)
      expect(report.itemsWithoutGroupKey).toBe(0)
      const fromItems = (s: Split, cls: string) => items.filter((i) => i.split === s && i.className === cls).length
      for (const s of ['train', 'val', 'test'] as const) {
        expect(report.perSplit[s].classes).toEqual({ glioma: fromItems(s, 'glioma'), normal: fromItems(s, 'normal') })
        expect(report.perSplit[s].items).toBeGreaterThan(0)
      }
      expect(report.perSplit.train.groups + report.perSplit.val.groups + report.perSplit.test.groups).toBe(24)
    }
    const summary = await api.datasets.get({ datasetId })
    expect(summary.splitConfig).toEqual({ train: 0.6, val: 0.2, test: 0.2, seed: 99999, groupBy: { kind: 'patient' } })
    expect(summary.splits.unassigned).toBe(0)
  })

  it('groups PNG datasets by a folder level or a regex on the path, and undoes a split', async () => {
    const data = tempDir('split-png')
    const ws = tempDir('split-png-ws')
    const { core, api } = openCore(ws.dir)
    cleanups.push(data.cleanup, ws.cleanup, () => core.close())
    let seed = 1
    for (let p = 0; p < 12; p++) {
      for (let s = 0; s < 3; s++)
        await writePng(path.join(data.dir, p % 2 ? 'b' : 'a', `sub-${p}`, `x${s}.png`), 12, 12, seed++)
    }
    const { datasetId } = await importOk(api, 'png', data.dir)
    for (const groupBy of [
      { kind: 'folder' as const, level: 1 },
      { kind: 'regex' as const, pattern: 'sub-(\\d+)/' }
    ]) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const r = await api.datasets.split({ datasetId, seed, groupBy })
        expect(r.groups).toBe(12)
        const items = await allItems(api, datasetId)
        const bySubject = new Map<string, Set<Split | null>>()
        for (const i of items) {
          const subject = i.relPath.split('/')[1]
          bySubject.set(subject, (bySubject.get(subject) ?? new Set()).add(i.split))
        }
        for (const splits of bySubject.values()) expect(splits.size).toBe(1)
      }
    }
    const byPatient = await api.datasets.split({ datasetId, groupBy: { kind: 'patient' } })
    expect(byPatient.itemsWithoutGroupKey).toBe(36)
    expect(byPatient.groups).toBe(36)

    const before = (await allItems(api, datasetId)).map((i) => [i.id, i.split])
    const changed = await api.datasets.split({ datasetId, seed: 77, val: 0.3, test: 0.3, groupBy: { kind: 'none' } })
    expect(changed.changed).toBeGreaterThan(0)
    await api.datasets.undo({ datasetId })
    expect((await allItems(api, datasetId)).map((i) => [i.id, i.split])).toEqual(before)
    expect((await api.datasets.get({ datasetId })).splitConfig?.groupBy).toEqual({ kind: 'patient' })
    await expect(api.datasets.split({ datasetId, val: 0.5, test: 0.5 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    })
    await expect(api.datasets.split({ datasetId, groupBy: { kind: 'regex', pattern: '(' } })).rejects.toThrow(
      /regular expression/
    )
  })
})

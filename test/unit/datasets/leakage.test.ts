import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  forEachNearPair,
  hamming,
  nearPairs,
  parseDHash,
  type Hash64
} from '../../../src/main/datasets/leakage/near-pairs'
import { mulberry32 } from '../../../src/main/datasets/split/seeded-random'
import type { Api, Split } from '../../../src/shared/contract'
import { importOk, openCore } from '../../fixtures/datasets/harness'
import { tempDir, writePng } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

describe('nearPairs', () => {
  it('finds exactly the pairs a brute-force comparison finds', () => {
    const rand = mulberry32(11)
    const word = () => Math.floor(rand() * 2 ** 32) >>> 0
    const items: Hash64[] = []
    for (let i = 0; i < 400; i++) {
      if (i % 4 === 3) {
        // A planted neighbour of the previous hash: flip 0–8 random bits.
        const base = items[i - 1]
        let { hi, lo } = base
        const flips = Math.floor(rand() * 9)
        for (let f = 0; f < flips; f++) {
          const b = Math.floor(rand() * 64)
          if (b < 32) hi = (hi ^ (1 << b)) >>> 0
          else lo = (lo ^ (1 << (b - 32))) >>> 0
        }
        items.push({ hi, lo })
      } else items.push({ hi: word(), lo: word() })
    }
    for (const t of [0, 3, 6, 10]) {
      const brute: string[] = []
      for (let i = 0; i < items.length; i++)
        for (let j = i + 1; j < items.length; j++) {
          const d = hamming(items[i], items[j])
          if (d <= t) brute.push(`${i}-${j}-${d}`)
        }
      const fast = nearPairs(items, t).map(([a, b, d]) => `${a}-${b}-${d}`)
      expect(fast.sort()).toEqual(brute.sort())
      if (t === 6) expect(brute.length).toBeGreaterThan(40)
    }
    let visits = 0
    expect(forEachNearPair(items, 6, () => visits++, { budget: 10 })).toEqual({ truncated: true })
    expect(visits).toBeLessThanOrEqual(10)
    expect(forEachNearPair(items, 6, () => visits++)).toEqual({ truncated: false })
    expect(parseDHash('ffffffff00000001')).toEqual({ hi: 0xffffffff, lo: 1 })
    expect(parseDHash('xyz')).toBeNull()
  })
})

describe('leakage report', () => {
  async function setup(): Promise<{
    api: Api
    datasetId: number
    root: string
    idOf: (rel: string) => Promise<number>
  }> {
    const data = tempDir('leak')
    const ws = tempDir('leak-ws')
    const { core, api } = openCore(ws.dir)
    cleanups.push(data.cleanup, ws.cleanup, () => core.close())
    const at = (rel: string) => path.join(data.dir, rel)
    for (let i = 1; i <= 6; i++) await writePng(at(`a/p${i}/img.png`), 64, 64, i)
    for (let i = 1; i <= 6; i++) await writePng(at(`b/p${10 + i}/img.png`), 64, 64, 30 + i)
    await writePng(at('a/p7/near.png'), 64, 64, 1, 3) // brighter re-save of a/p1/img.png
    fs.mkdirSync(at('b/p20'))
    fs.copyFileSync(at('a/p2/img.png'), at('b/p20/copy.png')) // same bytes, other class
    await writePng(at('b/p21/resized.png'), 80, 80, 3) // a/p3/img.png at another size, other class
    const r = await importOk(api, 'leaky', data.dir)
    expect(r.imported).toBe(15)
    const idOf = async (rel: string) =>
      (await api.datasets.listItems({ datasetId: r.datasetId, search: rel })).items.find((i) => i.relPath === rel)!.id
    return { api, datasetId: r.datasetId, root: data.dir, idOf }
  }

  it('finds exact and near duplicates across classes and splits, with paths, and resolves them', async () => {
    const { api, datasetId, root, idOf } = await setup()
    await api.datasets.split({ datasetId, seed: 1, groupBy: { kind: 'folder', level: 1 } })
    const p1 = await idOf('a/p1/img.png')
    const p7 = await idOf('a/p7/near.png')
    const p1Split = (await api.datasets.getItem({ itemId: p1 })).split!
    const other: Split = p1Split === 'test' ? 'val' : 'test'
    await api.datasets.resolveLeakage({ datasetId, itemIds: [p7], action: 'keep-together', split: other })
    expect((await api.datasets.getItem({ itemId: p7 })).split).toBe(other)

    const report = await api.datasets.leakage({ datasetId })
    expect(report.threshold).toBe(6)
    expect(report.itemsChecked).toBe(15)
    expect(report.truncated).toBe(false)
    // Identical content is always split together, so the copy leaks across classes only.
    expect(report.exact.map((f) => [f.crossClass, f.crossSplit, f.paths.sort()])).toEqual([
      [true, false, [path.join(root, 'a/p2/img.png'), path.join(root, 'b/p20/copy.png')].sort()]
    ])
    const near = report.near.map((f) => ({ ids: f.items.map((i) => i.itemId), split: f.crossSplit, cls: f.crossClass }))
    expect(near).toContainEqual({ ids: [p1, p7].sort((x, y) => x - y), split: true, cls: false })
    const p3 = await idOf('a/p3/img.png')
    const p21 = await idOf('b/p21/resized.png')
    expect(near.find((f) => f.ids.includes(p21))).toMatchObject({ ids: [p3, p21].sort((x, y) => x - y), cls: true })
    expect(report.near.length).toBe(2)
    expect(report.near[0].items[0].thumb).toMatch(/^thumb\/\d+$/)
    expect(report.near.every((f) => f.maxDistance <= 6 && f.paths.length === f.items.length)).toBe(true)
    // Each near finding is one pair, confirmed pixel by pixel, and the report says how.
    expect(report.near.every((f) => f.items.length === 2 && f.pixelDistance !== null)).toBe(true)
    expect(report.near.every((f) => f.pixelDistance! <= report.pixelThreshold)).toBe(true)
    expect(report.measure).toContain(`dHash within 6 of 64 bits`)
    // A dry run through the API counts without changing anything.
    const ids = report.exact[0].items.map((i) => i.itemId)
    expect(
      await api.datasets.resolveLeakage({
        datasetId,
        itemIds: ids,
        action: 'exclude',
        keepItemId: ids[0],
        dryRun: true
      })
    ).toEqual({ opId: null, changed: 1 })
    expect((await api.datasets.leakage({ datasetId })).exact).toHaveLength(1)
    // The grouping preview through the API; one image per patient folder gives nothing to propose.
    const g = await api.datasets.previewGrouping({ datasetId, groupBy: { kind: 'folder', level: 1 } })
    expect(g.preview).toMatchObject({ items: 15, withoutKey: 0, groups: 14, largestGroup: 2 })
    expect(g.suggestion).toBeNull()

    // Keep together: both end in one split; the folder groups stay disjoint.
    const nearFinding = report.near.find((f) => f.items.some((i) => i.itemId === p7))!
    const moved = await api.datasets.resolveLeakage({
      datasetId,
      itemIds: nearFinding.items.map((i) => i.itemId),
      action: 'keep-together'
    })
    expect(moved.changed).toBe(1)
    expect((await api.datasets.getItem({ itemId: p7 })).split).toBe((await api.datasets.getItem({ itemId: p1 })).split)
    // Exclude: everything but the kept item is excluded, and the exact finding disappears.
    const copy = await idOf('b/p20/copy.png')
    const keep = await idOf('a/p2/img.png')
    await api.datasets.resolveLeakage({ datasetId, itemIds: [keep, copy], action: 'exclude', keepItemId: keep })
    expect((await api.datasets.getItem({ itemId: copy })).excludeReason).toBe('leakage')
    const after = await api.datasets.leakage({ datasetId })
    expect(after.exact).toEqual([])
    expect(after.near.map((f) => f.items.map((i) => i.itemId))).toEqual([[p3, p21].sort((x, y) => x - y)])
    expect((await api.datasets.leakage({ datasetId, threshold: 0 })).near).toEqual([])

    // Undo brings the exact finding back.
    await api.datasets.undo({ datasetId })
    expect((await api.datasets.leakage({ datasetId })).exact.length).toBe(1)
  })
})

import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Api } from '../../../src/shared/contract'
import { importOk, openCore } from '../../fixtures/datasets/harness'
import { tempDir, writePng } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

/** 3 classes × 6 PNGs, plus one file duplicated inside "a" and one copied into "b" (a conflict). */
async function setup(): Promise<{ api: Api; datasetId: number; ws: string; data: string; reopen: () => Api }> {
  const data = tempDir('cur')
  const ws = tempDir('cur-ws')
  cleanups.push(data.cleanup, ws.cleanup)
  for (const [ci, cls] of ['a', 'b', 'c'].entries()) {
    for (let i = 0; i < 6; i++) await writePng(path.join(data.dir, cls, `${cls}${i}.png`), 24 + i, 24, ci * 10 + i)
  }
  fs.copyFileSync(path.join(data.dir, 'a', 'a0.png'), path.join(data.dir, 'a', 'a0-copy.png'))
  fs.copyFileSync(path.join(data.dir, 'a', 'a1.png'), path.join(data.dir, 'b', 'a1-in-b.png'))
  let { core, api } = openCore(ws.dir)
  cleanups.push(() => core.close())
  const r = await importOk(api, 'cur', data.dir)
  return {
    api,
    datasetId: r.datasetId,
    ws: ws.dir,
    data: data.dir,
    reopen: () => {
      core.close()
      ;({ core, api } = openCore(ws.dir))
      return api
    }
  }
}

const classId = async (api: Api, datasetId: number, name: string) =>
  (await api.datasets.listClasses({ datasetId })).find((c) => c.name === name)!.id

describe('curation', () => {
  it('lists items with filters, ordering and paging', async () => {
    const { api, datasetId } = await setup()
    const all = await api.datasets.listItems({ datasetId, limit: 1000 })
    expect(all.total).toBe(20)
    const a = await classId(api, datasetId, 'a')
    const inA = await api.datasets.listItems({ datasetId, classId: a })
    expect(inA.total).toBe(7)
    expect(inA.items.every((i) => i.className === 'a')).toBe(true)

    const dups = await api.datasets.listItems({ datasetId, flag: 'duplicate', orderBy: 'path' })
    expect(dups.items.map((i) => i.relPath)).toEqual(['a/a0-copy.png', 'a/a0.png', 'a/a1.png', 'b/a1-in-b.png'])
    const conflicts = await api.datasets.listItems({ datasetId, flag: 'conflict', orderBy: 'path' })
    expect(conflicts.items.map((i) => i.relPath)).toEqual(['a/a1.png', 'b/a1-in-b.png'])
    expect(conflicts.items.every((i) => i.conflict && i.duplicate)).toBe(true)

    const bySize = await api.datasets.listItems({ datasetId, orderBy: 'size', desc: true, limit: 5 })
    const sizes = bySize.items.map((i) => i.size)
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x))
    const p1 = await api.datasets.listItems({ datasetId, orderBy: 'path', limit: 7 })
    const p2 = await api.datasets.listItems({ datasetId, orderBy: 'path', limit: 7, offset: 7 })
    expect(p2.offset).toBe(7)
    expect(new Set([...p1.items, ...p2.items].map((i) => i.id)).size).toBe(14)
    expect(p1.items.at(-1)!.relPath < p2.items[0].relPath).toBe(true)
    expect((await api.datasets.listItems({ datasetId, search: 'B/A1' })).items.map((i) => i.relPath)).toEqual([
      'b/a1-in-b.png'
    ])
    expect((await api.datasets.listItems({ datasetId, search: '%' })).total).toBe(0)
    expect((await api.datasets.listItems({ datasetId, split: 'unassigned' })).total).toBe(20)
    await expect(api.datasets.listItems({ datasetId, limit: 5000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('relabels, excludes, adds, renames and merges classes, and undoes them in order', async () => {
    const { api, datasetId } = await setup()
    const a = await classId(api, datasetId, 'a')
    const b = await classId(api, datasetId, 'b')
    const c = await classId(api, datasetId, 'c')
    const itemsOf = async (cls: number) =>
      (await api.datasets.listItems({ datasetId, classId: cls })).items.map((i) => i.id)
    const counts = async () =>
      Object.fromEntries((await api.datasets.listClasses({ datasetId })).map((k) => [k.name, k.total]))

    const fromA = (await itemsOf(a)).slice(0, 3)
    expect((await api.datasets.relabel({ itemIds: fromA, classId: b })).changed).toBe(3)
    expect(await counts()).toEqual({ a: 4, b: 10, c: 6 })
    expect((await api.datasets.relabel({ itemIds: fromA, classId: b })).opId).toBeNull()

    const ex = await api.datasets.setExcluded({
      itemIds: (await itemsOf(c)).slice(0, 2),
      excluded: true,
      reason: 'motion'
    })
    expect(ex.changed).toBe(2)
    const cSummary = (await api.datasets.listClasses({ datasetId })).find((k) => k.name === 'c')!
    expect([cSummary.total, cSummary.excluded]).toEqual([4, 2])
    const excluded = await api.datasets.listItems({ datasetId, flag: 'excluded' })
    expect(excluded.items.map((i) => i.excludeReason)).toEqual(['motion', 'motion'])

    const added = await api.datasets.addClass({ datasetId, name: 'edema' })
    await expect(api.datasets.addClass({ datasetId, name: 'EDEMA' })).rejects.toMatchObject({ code: 'CONFLICT' })
    await api.datasets.renameClass({ classId: added.classId, name: 'oedema' })
    await expect(api.datasets.renameClass({ classId: a, name: 'B' })).rejects.toMatchObject({ code: 'CONFLICT' })
    const merged = await api.datasets.mergeClasses({ sourceClassIds: [a, c], targetClassId: b })
    expect(merged.changed).toBe(10)
    expect(await counts()).toEqual({ b: 18, oedema: 0 })

    const history = await api.datasets.history({ datasetId })
    expect(history.map((h) => h.kind)).toEqual(['merge-classes', 'rename-class', 'add-class', 'exclude', 'relabel'])
    const undone = await api.datasets.undo({ datasetId, count: 3 })
    expect(undone.undone.map((u) => u.kind)).toEqual(['merge-classes', 'rename-class', 'add-class'])
    expect(await counts()).toEqual({ a: 4, b: 10, c: 4 })
    expect(await classId(api, datasetId, 'a')).toBe(a)
    await api.datasets.undo({ datasetId, count: 2 })
    expect(await counts()).toEqual({ a: 7, b: 7, c: 6 })
    expect((await api.datasets.listItems({ datasetId, flag: 'excluded' })).total).toBe(0)
    expect((await api.datasets.undo({ datasetId })).undone).toEqual([])
  })

  it('keeps the undo stack in the catalog across restarts', async () => {
    const s = await setup()
    const b = await classId(s.api, s.datasetId, 'b')
    const a = await classId(s.api, s.datasetId, 'a')
    const ids = (await s.api.datasets.listItems({ datasetId: s.datasetId, classId: a })).items.map((i) => i.id)
    await s.api.datasets.relabel({ itemIds: ids, classId: b })
    const api = s.reopen()
    expect((await api.datasets.history({ datasetId: s.datasetId })).map((h) => h.kind)).toEqual(['relabel'])
    await api.datasets.undo({ datasetId: s.datasetId })
    expect((await api.datasets.listItems({ datasetId: s.datasetId, classId: a })).total).toBe(7)
  })

  it('keeps notes and tags, filters by tag, and rejects items of another dataset', async () => {
    const { api, datasetId, data } = await setup()
    const [first, second] = (await api.datasets.listItems({ datasetId, limit: 2 })).items
    await api.datasets.setNote({ itemId: first.id, note: 'check contrast' })
    expect((await api.datasets.getItem({ itemId: first.id })).note).toBe('check contrast')
    expect((await api.datasets.updateTags({ itemIds: [first.id, second.id], add: ['review', 't1'] })).changed).toBe(4)
    await api.datasets.updateTags({ itemIds: [second.id], remove: ['t1'] })
    expect((await api.datasets.getItem({ itemId: first.id })).tags).toEqual(['review', 't1'])
    expect((await api.datasets.listItems({ datasetId, tag: 't1' })).items.map((i) => i.id)).toEqual([first.id])
    await expect(api.datasets.updateTags({ itemIds: [first.id], add: ['a,b'] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT'
    })

    const other = await importOk(api, 'other', data)
    const foreignClass = await classId(api, other.datasetId, 'a')
    await expect(api.datasets.relabel({ itemIds: [first.id], classId: foreignClass })).rejects.toThrow(
      /another dataset/
    )
    await expect(api.datasets.relabel({ itemIds: [first.id, 999999], classId: foreignClass })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })

  it('creates, renames and removes datasets; removal is refused once a version exists', async () => {
    const { api, datasetId } = await setup()
    expect((await api.datasets.create({ name: 'empty' })).items).toBe(0)
    await expect(api.datasets.create({ name: 'CUR' })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect((await api.datasets.rename({ datasetId, name: 'curated' })).name).toBe('curated')
    const empty = (await api.datasets.list({})).find((d) => d.name === 'empty')!
    expect((await api.datasets.remove({ datasetId: empty.id })).removed).toBe(1)
    await api.datasets.createVersion({ datasetId, note: 'v1' })
    await expect(api.datasets.remove({ datasetId })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect((await api.datasets.list({})).map((d) => d.name)).toEqual(['curated'])
  })
})

import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readVersion } from '../../../src/main/datasets'
import type { Core } from '../../../src/main/services'
import type { Api } from '../../../src/shared/contract'
import { importOk, openCore } from '../../fixtures/datasets/harness'
import { tempDir, writeDicom, writePng } from '../../fixtures/datasets/images'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

async function setup(): Promise<{ core: Core; api: Api; datasetId: number; out: string }> {
  const data = tempDir('ver')
  const ws = tempDir('ver-ws')
  const out = tempDir('ver-out')
  const { core, api } = openCore(ws.dir)
  cleanups.push(data.cleanup, ws.cleanup, out.cleanup, () => core.close())
  for (let i = 0; i < 6; i++) await writePng(path.join(data.dir, 'Normal', `n${i}.png`), 20, 20, i)
  for (let i = 0; i < 4; i++)
    writeDicom(path.join(data.dir, 'glioma', `P${i}`, 'IM0001'), {
      patientId: `P${i}`,
      seed: 50 + i,
      rows: 16,
      columns: 16
    })
  // Two files with the same name in one class: the export must not lose one.
  await writePng(path.join(data.dir, 'Normal', 'sub', 'n0.png'), 20, 20, 99)
  const r = await importOk(api, 'vx', data.dir)
  await api.datasets.split({ datasetId: r.datasetId, val: 0.25, test: 0.25, seed: 3, groupBy: { kind: 'patient' } })
  return { core, api, datasetId: r.datasetId, out: out.dir }
}

describe('versions', () => {
  it('freeze labels, splits and exclusions; later curation does not change them', async () => {
    const { core, api, datasetId } = await setup()
    const items = (await api.datasets.listItems({ datasetId, limit: 100 })).items
    await api.datasets.setExcluded({ itemIds: [items[0].id], excluded: true })
    const v1 = await api.datasets.createVersion({ datasetId, note: 'baseline' })
    expect([v1.number, v1.note, v1.items, v1.excluded]).toEqual([1, 'baseline', 10, 1])
    expect(v1.classes).toEqual(['glioma', 'Normal'])
    expect(v1.splitConfig?.seed).toBe(3)
    const total = Object.values(v1.counts).reduce((a, c) => a + Object.values(c).reduce((x, y) => x + y, 0), 0)
    expect(total).toBe(10)

    const read = readVersion(core.ctx.workspace.db, v1.id)
    expect(read.items.length).toBe(10)
    for (const it of read.items) {
      const live = items.find((i) => i.id === it.itemId)!
      expect([it.path, it.label, it.split, it.sha256, it.labelIndex]).toEqual([
        live.path,
        live.className,
        live.split,
        live.sha256,
        v1.classes.indexOf(live.className)
      ])
    }
    expect(readVersion(core.ctx.workspace.db, v1.id, { includeExcluded: true }).items.length).toBe(11)

    const glioma = (await api.datasets.listClasses({ datasetId })).find((c) => c.name === 'glioma')!
    const normalIds = items.filter((i) => i.className === 'Normal').map((i) => i.id)
    await api.datasets.relabel({ itemIds: normalIds.slice(1, 3), classId: glioma.id })
    const again = readVersion(core.ctx.workspace.db, v1.id)
    expect(again.items.map((i) => i.label)).toEqual(read.items.map((i) => i.label))
    const v2 = await api.datasets.createVersion({ datasetId, note: '' })
    expect(v2.number).toBe(2)
    expect(v2.fingerprint).not.toBe(v1.fingerprint)
    await api.datasets.undo({ datasetId })
    expect((await api.datasets.createVersion({ datasetId, note: 'same as v1' })).fingerprint).toBe(v1.fingerprint)
    expect((await api.datasets.listVersions({ datasetId })).map((v) => v.number)).toEqual([3, 2, 1])
    expect(() => readVersion(core.ctx.workspace.db, 9999)).toThrow(/version 9999 does not exist/)
  })
})

describe('export', () => {
  it('writes split/class folders of copies or symlinks with a manifest, or one CSV, and never overwrites', async () => {
    const { api, datasetId, out } = await setup()
    const items = (await api.datasets.listItems({ datasetId, limit: 100 })).items
    const copy = await api.datasets.exportDataset({ datasetId, dest: path.join(out, 'tree'), layout: 'copy' })
    expect(copy.items).toBe(11)
    const files: string[] = []
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name))
        else files.push(path.relative(copy.dest, path.join(d, e.name)).split(path.sep).join('/'))
      }
    }
    walk(copy.dest)
    expect(files.length).toBe(12)
    for (const it of items) {
      const under = files.filter((f) => f.startsWith(`${it.split}/${it.className}/`))
      expect(under.length).toBeGreaterThan(0)
    }
    expect(files.filter((f) => /\/n0(-\d+)?\.png$/.test(f)).length).toBe(2)
    expect(copy.bytes).toBe(items.reduce((a, i) => a + i.size, 0))
    const manifest = fs.readFileSync(copy.manifest, 'utf8').trim().split('\r\n')
    expect(manifest[0]).toBe('item_id,split,label,path,sha256,kind,width,height,patient_id,frame,plane')
    expect(manifest.length).toBe(12)
    const row = manifest.find((l) => l.includes(',glioma,'))!.split(',')
    expect(fs.existsSync(path.join(copy.dest, row[3]))).toBe(true)

    const link = await api.datasets.exportDataset({ datasetId, dest: path.join(out, 'links'), layout: 'symlink' })
    expect(link.bytes).toBe(0)
    const linked = fs.readFileSync(link.manifest, 'utf8').split('\r\n')[1].split(',')[3]
    expect(fs.lstatSync(path.join(link.dest, linked)).isSymbolicLink()).toBe(true)

    const csv = await api.datasets.exportDataset({ datasetId, dest: path.join(out, 'm.csv'), layout: 'csv' })
    const lines = fs.readFileSync(csv.dest, 'utf8').trim().split('\r\n')
    expect(lines.length).toBe(12)
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[3])
        .sort()
    ).toEqual(items.map((i) => i.path).sort())

    await expect(
      api.datasets.exportDataset({ datasetId, dest: path.join(out, 'm.csv'), layout: 'csv' })
    ).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    await expect(api.datasets.exportDataset({ datasetId, dest: path.join(out, 'tree') })).rejects.toThrow(/not empty/)

    await api.datasets.setExcluded({ itemIds: [items[0].id], excluded: true })
    const v = await api.datasets.createVersion({ datasetId, note: '' })
    const fromVersion = await api.datasets.exportDataset({
      datasetId,
      versionId: v.id,
      dest: path.join(out, 'v.csv'),
      layout: 'csv'
    })
    expect(fromVersion.items).toBe(10)
  })
})

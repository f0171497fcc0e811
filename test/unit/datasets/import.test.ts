import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importFolder } from '../../../src/main/datasets'
import { thumbnailPath } from '../../../src/main/datasets/import/thumbnail-cache'
import type { Core } from '../../../src/main/services'
import type { Api, ImportProgress } from '../../../src/shared/contract'
import { importOk, openCore, snapshot, under } from '../../fixtures/datasets/harness'
import { tempDir, writePng } from '../../fixtures/datasets/images'
import { buildMixedTree } from '../../fixtures/datasets/tree'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

function setup(): { data: string; core: Core; api: Api } {
  const data = tempDir('data')
  const ws = tempDir('ws')
  const { core, api } = openCore(ws.dir)
  cleanups.push(data.cleanup, ws.cleanup, () => core.close())
  return { data: data.dir, core, api }
}

describe('import', () => {
  it('imports PNG, JPEG and DICOM by content, reports failures, ignores non-images, finds conflicts', async () => {
    const { data, core, api } = setup()
    const tree = await buildMixedTree(data)
    const r = await importOk(api, 'brain', data)
    expect(r.imported).toBe(tree.images.length)
    expect(r.failed).toBe(Object.keys(tree.failing).length)
    expect(r.ignored).toBe(tree.ignored.length)
    expect(r.skipped).toBe(0)
    expect(r.seen).toBe(tree.images.length + Object.keys(tree.failing).length + tree.ignored.length)
    for (const [rel, reason] of Object.entries(tree.failing)) {
      const e = r.errors.find((x) => x.path === under(data, rel))
      expect(e, rel).toBeDefined()
      expect(e!.reason).toMatch(reason)
    }
    expect(r.conflicts).toBe(1)
    expect(r.conflictGroups[0].classes.sort()).toEqual(['normal', 'tumor'])
    expect(r.conflictGroups[0].items.map((i) => i.path).sort()).toEqual(tree.conflict.map((c) => under(data, c)).sort())

    const classes = await api.datasets.listClasses({ datasetId: r.datasetId })
    expect(classes.map((c) => [c.name, c.total])).toEqual([
      ['normal', 4],
      ['tumor', 6]
    ])
    const page = await api.datasets.listItems({ datasetId: r.datasetId, limit: 100, orderBy: 'path' })
    expect(page.items.map((i) => i.relPath).sort()).toEqual([...tree.images].sort())
    const big = page.items.find((i) => i.relPath === 'tumor/big.png')!
    expect([big.kind, big.width, big.height, big.frames, big.size]).toEqual([
      'png',
      300,
      200,
      1,
      fs.statSync(under(data, 'tumor/big.png')).size
    ])
    expect(big.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(big.dhash).toMatch(/^[0-9a-f]{16}$/)
    const jpeg = page.items.find((i) => i.relPath === 'normal/n2.jpg')!
    expect([jpeg.kind, jpeg.width, jpeg.height]).toEqual(['jpeg', 90, 70])
    // Extension-less DICOM, recognised by content, with its identifiers.
    const scan = page.items.find((i) => i.relPath === 'tumor/P002/scan')!
    expect(scan).toMatchObject({
      kind: 'dicom',
      width: 64,
      height: 64,
      patientId: 'PAT-2',
      modality: 'MR',
      instanceNumber: 7
    })
    expect(scan.studyInstanceUID).toBe('1.2.826.0.1.3680043.10.1419.99.3.1')
    expect(scan.seriesInstanceUID).toBe('1.2.826.0.1.3680043.10.1419.99.3.2')
    const scan2 = page.items.find((i) => i.relPath === 'tumor/P002/scan2.dcm')!
    expect([scan2.width, scan2.height, scan2.patientId]).toEqual([80, 48, 'PAT-2'])
    expect(page.items.find((i) => i.relPath === 'tumor/big.png')!.patientId).toBeNull()

    // The report is kept in the catalog.
    const report = await api.datasets.getImportReport({ importId: r.importId })
    expect(report.errors.map((e) => e.path).sort()).toEqual(
      Object.keys(tree.failing)
        .map((f) => under(data, f))
        .sort()
    )
    expect(report.imported).toBe(r.imported)

    // Thumbnails: at most 128 px, PNG, served through the media route, regenerated when deleted.
    const thumb = await core.ctx.media.resolve(big.thumb)
    expect(thumb.type).toBe('image/png')
    const bytes = fs.readFileSync(thumb.file)
    expect(bytes.subarray(1, 4).toString()).toBe('PNG')
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([128, 85])
    fs.rmSync(thumb.file)
    const again = await core.ctx.media.resolve(big.thumb)
    expect(fs.readFileSync(again.file).equals(bytes)).toBe(true)
    const dicomThumb = fs.readFileSync((await core.ctx.media.resolve(scan.thumb)).file)
    expect([dicomThumb.readUInt32BE(16), dicomThumb.readUInt32BE(20)]).toEqual([64, 64])
    await expect(core.ctx.media.resolve('thumb/999999')).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('is idempotent, updates changed files and warns about vanished ones', async () => {
    const { data, api } = setup()
    const tree = await buildMixedTree(data)
    const first = await importOk(api, 'brain', data)
    const again = await importOk(api, 'Brain', data)
    expect(again.datasetId).toBe(first.datasetId)
    expect([again.imported, again.updated, again.skipped, again.failed]).toEqual([0, 0, tree.images.length, 3])
    expect(again.conflicts).toBe(1)
    expect((await api.datasets.get({ datasetId: first.datasetId })).items).toBe(tree.images.length)

    await writePng(under(data, 'normal/n4.png'), 120, 120, 77)
    fs.utimesSync(under(data, 'normal/n4.png'), new Date(), new Date(Date.now() + 5000))
    fs.rmSync(under(data, 'tumor/big.png'))
    const third = await importOk(api, 'brain', data)
    expect([third.imported, third.updated]).toEqual([0, 1])
    expect(third.warnings.join(' ')).toMatch(/1 item\(s\) previously imported .* were not found/)
    const n4 = (await api.datasets.listItems({ datasetId: first.datasetId, search: 'n4.png' })).items[0]
    expect([n4.width, n4.height]).toEqual([120, 120])
    expect((await api.datasets.listImports({ datasetId: first.datasetId })).length).toBe(3)
  })

  it('explains a folder without class subfolders and a missing folder', async () => {
    const { data, api } = setup()
    await writePng(path.join(data, 'a.png'), 16, 16, 1)
    await expect(api.datasets.startImport({ dataset: 'x', root: data })).rejects.toThrow(/has no class subfolders/)
    await expect(api.datasets.startImport({ dataset: 'x', root: path.join(data, 'nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    expect(await api.datasets.list({})).toEqual([])
  })

  it('leaves the catalog unchanged when cancelled, and a later import still works', async () => {
    const { data, core, api } = setup()
    await buildMixedTree(path.join(data, 'first'))
    for (let i = 0; i < 40; i++) await writePng(path.join(data, 'second', `c${i % 2}`, `f${i}.png`), 48, 48, 200 + i)
    await importOk(api, 'brain', path.join(data, 'first'))
    const before = snapshot(core.ctx.workspace.db)

    // Cancelled mid-way, after some rows were staged.
    const db = core.ctx.workspace.db
    let staged = 0
    const controller = new AbortController()
    const seen: ImportProgress[] = []
    const cancelled = importFolder(core.ctx.workspace.db, {
      dataset: 'brain',
      root: path.join(data, 'second'),
      cacheDir: core.ctx.workspace.cacheDir,
      signal: controller.signal,
      progressIntervalMs: 0,
      stageBatchSize: 4,
      onProgress: (p) => {
        seen.push(p)
        if (p.imported >= 10) {
          staged = (db.prepare('SELECT COUNT(*) AS n FROM dataset_import_staging').get() as { n: number }).n
          controller.abort()
        }
      }
    })
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(seen.at(-1)!.imported).toBeGreaterThanOrEqual(10)
    expect(staged).toBeGreaterThanOrEqual(8)
    expect(snapshot(core.ctx.workspace.db)).toEqual(before)

    // Cancelled through the API right after starting, into a new dataset: no dataset appears.
    let importId = ''
    const finished = new Promise<string>((resolve) =>
      api.datasets.onImportFinished((f) => f.importId === importId && resolve(f.state))
    )
    ;({ importId } = await api.datasets.startImport({ dataset: 'other', root: path.join(data, 'second') }))
    expect(await api.datasets.cancelImport({ importId })).toEqual({ cancelled: true })
    expect(await finished).toBe('cancelled')
    expect(snapshot(core.ctx.workspace.db)).toEqual(before)
    expect((await api.system.listJobs({})).find((j) => j.kind === 'import' && j.state === 'cancelled')).toBeDefined()

    const r = await importOk(api, 'brain', path.join(data, 'second'))
    expect(r.imported).toBe(40)
  })

  it('reports progress with counts and a rate, and shows a job', async () => {
    const { data, core } = setup()
    for (let i = 0; i < 12; i++) await writePng(path.join(data, `k${i % 3}`, `f${i}.png`), 40, 40, i)
    fs.writeFileSync(path.join(data, 'k0', 'x.csv'), 'a,b')
    const events: ImportProgress[] = []
    const r = await importFolder(core.ctx.workspace.db, {
      dataset: 'p',
      root: data,
      cacheDir: core.ctx.workspace.cacheDir,
      progressIntervalMs: 0,
      onProgress: (p) => events.push(p)
    })
    const last = events.at(-1)!
    expect([last.seen, last.processed, last.imported, last.ignored, last.walked, last.fraction]).toEqual([
      13,
      13,
      12,
      1,
      true,
      1
    ])
    expect(last.filesPerSecond).toBeGreaterThan(0)
    expect(events.length).toBeGreaterThan(5)
    expect(r.imported).toBe(12)
    for (const item of core.ctx.workspace.db.prepare('SELECT sha256 FROM dataset_items').all() as {
      sha256: string
    }[]) {
      expect(fs.existsSync(thumbnailPath(core.ctx.workspace.cacheDir, item.sha256))).toBe(true)
    }
  })
})

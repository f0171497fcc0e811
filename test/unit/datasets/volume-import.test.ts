import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readVersion } from '../../../src/main/datasets'
import { thumbnailPath } from '../../../src/main/datasets/import/thumbnail-cache'
import { decodeImage } from '../../../src/main/imaging'
import { loadModelInput } from '../../../src/main/training/preprocess/load-model-input'
import { makePreprocessSpec } from '../../../src/main/training/preprocess/spec'
import type { Api, ImportFinished, ImportResult } from '../../../src/shared/contract'
import type { Core } from '../../../src/main/services'
import { openCore, under } from '../../fixtures/datasets/harness'
import { tempDir } from '../../fixtures/datasets/images'

/** What make_import_volumes.py says about each volume it wrote. */
interface VolumeCase {
  rel: string
  class: string
  slices: number
  kept: number[]
  width: number
  height: number
  values: number[][]
}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c()
})

/** Volumes (nibabel) and a 6-frame enhanced MR file (pydicom, test/fixtures/enhanced) under class folders. */
function setup(): { data: string; core: Core; api: Api; volumes: VolumeCase[] } {
  const data = tempDir('vol')
  const ws = tempDir('ws')
  const { core, api } = openCore(ws.dir)
  cleanups.push(data.cleanup, ws.cleanup, () => core.close())
  const out = execFileSync(
    '/usr/bin/python3',
    [path.join(__dirname, '../../fixtures/nifti/make_import_volumes.py'), data.dir],
    { encoding: 'utf8', maxBuffer: 16 << 20 }
  )
  const enh = path.join(data.dir, '.enhanced')
  execFileSync('/usr/bin/python3', [path.join(__dirname, '../../fixtures/enhanced/make_enhanced.py'), enh])
  fs.copyFileSync(path.join(enh, 'enhanced.dcm'), path.join(data.dir, 'normal', 'enhanced.dcm'))
  return { data: data.dir, core, api, volumes: JSON.parse(out) as VolumeCase[] }
}

async function importWith(
  api: Api,
  dataset: string,
  root: string,
  opts: { volumePlane?: 'axial' | 'coronal' | 'sagittal'; skipEmptySlices?: boolean } = {}
): Promise<ImportResult> {
  const ended = new Map<string, ImportFinished>()
  let wake = () => {}
  const off = api.datasets.onImportFinished((f) => {
    ended.set(f.importId, f)
    wake()
  })
  try {
    const { importId } = await api.datasets.startImport({ dataset, root, ...opts })
    while (!ended.has(importId)) await new Promise<void>((r) => (wake = r))
    const end = ended.get(importId)!
    if (end.state !== 'done' || !end.result) throw new Error(`import ${end.state}: ${end.error?.message}`)
    return end.result
  } finally {
    off()
  }
}

interface Row {
  id: number
  path: string
  rel_path: string
  kind: string
  frame: number
  plane: string | null
  group_key: string | null
  frames: number
  width: number
  height: number
  sha256: string
  split: string | null
}

function rows(core: Core, datasetId: number): Row[] {
  return core.ctx.workspace.db
    .prepare(
      `SELECT id, path, rel_path, kind, frame, plane, group_key, frames, width, height, sha256, split
       FROM dataset_items WHERE dataset_id = ? ORDER BY rel_path, frame`
    )
    .all(datasetId) as Row[]
}

describe('dataset import of volumes and multi-frame DICOM', () => {
  it('imports every axial slice of each volume and every frame of a multi-frame file as its own item', async () => {
    const { data, core, api, volumes } = setup()
    const r = await importWith(api, 'mri', data)
    const total = volumes.reduce((n, v) => n + v.slices, 0) + 6
    expect(r.imported).toBe(total)
    expect(r.failed).toBe(0)
    // The .img half of the pair is imported through its .hdr, not twice.
    expect(r.ignored).toBe(1)
    const items = rows(core, r.datasetId)
    expect(items).toHaveLength(total)
    for (const v of volumes) {
      const mine = items.filter((i) => i.rel_path === v.rel)
      expect(mine.map((i) => i.frame)).toEqual([...Array(v.slices).keys()])
      for (const i of mine) {
        expect([i.kind, i.plane, i.group_key, i.frames, i.width, i.height]).toEqual([
          'nifti',
          'axial',
          `volume:${v.rel}`,
          v.slices,
          v.width,
          v.height
        ])
        // Each slice has its own thumbnail, rendered from that slice.
        expect(fs.existsSync(thumbnailPath(core.ctx.workspace.cacheDir, i.sha256))).toBe(true)
        // The one place that turns an item into pixels gives nibabel's values for that slice.
        const img = await decodeImage(i.path, { frame: i.frame, plane: 'axial' })
        expect(img.width * img.height).toBe(v.values[i.frame].length)
        const got = Array.from(img.modality)
        v.values[i.frame].forEach((x, p) => expect(got[p], `${v.rel} slice ${i.frame} px ${p}`).toBeCloseTo(x, 3))
      }
      expect(new Set(mine.map((i) => i.sha256)).size).toBe(v.slices)
    }
    const enhanced = items.filter((i) => i.rel_path === 'normal/enhanced.dcm')
    expect(enhanced.map((i) => [i.kind, i.frame, i.plane, i.group_key])).toEqual(
      [0, 1, 2, 3, 4, 5].map((f) => ['dicom', f, null, 'file:normal/enhanced.dcm'])
    )
    // No item is flagged as a duplicate of its neighbour slice.
    const page = await api.datasets.listItems({ datasetId: r.datasetId, flag: 'duplicate', limit: 100 })
    expect(page.items).toHaveLength(0)

    // Re-importing the unchanged folder adds nothing.
    const again = await importWith(api, 'mri', data)
    expect([again.imported, again.updated, again.skipped]).toEqual([0, 0, volumes.length + 1])
    expect(rows(core, r.datasetId)).toHaveLength(total)
  })

  it('training loads the frozen slice: frame and plane reach the model input', async () => {
    const { data, core, api, volumes } = setup()
    const r = await importWith(api, 'mri', data)
    const version = await api.datasets.createVersion({ datasetId: r.datasetId, note: '' })
    const { items } = readVersion(core.ctx.workspace.db, version.id)
    const head = items.filter((i) => i.path === under(data, 'tumor/head.nii.gz'))
    expect(head.map((i) => [i.frame, i.plane, i.groupKey])).toEqual(
      [...Array(volumes[0].slices).keys()].map((k) => [k, 'axial', 'volume:tumor/head.nii.gz'])
    )
    const spec = makePreprocessSpec(16, '[-1,1]')
    const a = await loadModelInput(head[4].path, spec, head[4].frame, head[4].plane)
    const b = await loadModelInput(head[5].path, spec, head[5].frame, head[5].plane)
    const empty = await loadModelInput(head[0].path, spec, head[0].frame, head[0].plane)
    expect(a).toHaveLength(16 * 16 * 3)
    expect(Array.from(a)).not.toEqual(Array.from(b))
    // Slice 0 is all background: one grey level throughout.
    expect(new Set(empty).size).toBe(1)
    await expect(loadModelInput(head[0].path, spec, 99, 'axial')).rejects.toThrow(
      /head\.nii\.gz: axial slice 99 does not exist/
    )
  })

  it('skips near-empty slices when asked, and slices along the chosen plane', async () => {
    const { data, core, api, volumes } = setup()
    const r = await importWith(api, 'skip', data, { skipEmptySlices: true })
    const items = rows(core, r.datasetId)
    for (const v of volumes) {
      expect(
        items.filter((i) => i.rel_path === v.rel).map((i) => i.frame),
        v.rel
      ).toEqual(v.kept)
    }
    // The head volume's slices 0, 1, 7 are empty and slice 2 has one bright voxel: all four are left out.
    expect(volumes[0].kept).toEqual([3, 4, 5, 6])

    const c = await importWith(api, 'coronal', data, { volumePlane: 'coronal' })
    const head = rows(core, c.datasetId).filter((i) => i.rel_path === 'tumor/head.nii.gz')
    // 12×10×8 RAS volume: coronal slices run along j (10), each 12 wide (x) and 8 high (z).
    expect(head.map((i) => [i.plane, i.width, i.height, i.frames])).toEqual(Array(10).fill(['coronal', 12, 8, 10]))
  })

  it('splits keep every slice of a volume and every frame of a file in one split, whatever the grouping rule', async () => {
    const { data, core, api } = setup()
    const r = await importWith(api, 'mri', data)
    for (const seed of [1, 2, 3]) {
      await api.datasets.split({ datasetId: r.datasetId, val: 0.3, test: 0.3, seed, groupBy: { kind: 'none' } })
      const byFile = new Map<string, Set<string | null>>()
      for (const i of rows(core, r.datasetId)) {
        if (!byFile.has(i.rel_path)) byFile.set(i.rel_path, new Set())
        byFile.get(i.rel_path)!.add(i.split)
      }
      for (const [file, splits] of byFile) expect([...splits], `${file} seed ${seed}`).toHaveLength(1)
      expect(new Set([...byFile.values()].map((s) => [...s][0])).size).toBeGreaterThan(1)
    }
    // Export writes each volume once, and the manifest names every slice's frame and plane.
    const dest = path.join(data, '.export')
    const ex = await api.datasets.exportDataset({ datasetId: r.datasetId, dest, layout: 'copy' })
    const lines = fs.readFileSync(ex.manifest, 'utf8').trim().split('\r\n')
    expect(lines[0]).toBe('item_id,split,label,path,sha256,kind,width,height,patient_id,frame,plane')
    const head = lines.filter((l) => l.includes('/head.nii.gz,'))
    expect(head.map((l) => l.split(',').slice(-2).join(' '))).toEqual([...Array(8).keys()].map((k) => `${k} axial`))
    const written = fs
      .readdirSync(dest, { recursive: true })
      .map(String)
      .filter((f) => /\.(nii|gz|hdr|img|dcm)$/.test(f))
    expect(written.map((f) => path.basename(f)).sort()).toEqual([
      'enhanced.dcm',
      'flat.nii',
      'head.nii.gz',
      'pair.hdr',
      'pair.img'
    ])
  })

  it('a broken volume fails with its reason and the import goes on', async () => {
    const { data, core, api, volumes } = setup()
    const bad = under(data, 'tumor/broken.nii.gz')
    fs.writeFileSync(bad, fs.readFileSync(under(data, 'tumor/head.nii.gz')).subarray(0, 200))
    const r = await importWith(api, 'mri', data)
    expect(r.failed).toBe(1)
    expect(r.errors[0].path).toBe(bad)
    expect(r.errors[0].reason).toMatch(/truncated/)
    expect(rows(core, r.datasetId)).toHaveLength(volumes.reduce((n, v) => n + v.slices, 0) + 6)
  })
})

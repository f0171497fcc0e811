import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, EmbeddingMap, EmbeddingMapEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { importDataset } from '../../helpers/import-dataset'
import { tempDir } from '../inference/fixtures'
import { writeSeparableDataset } from '../run/fixtures'

// The embedding map end to end: a generated separable dataset (a bright disc left vs right) imported into a
// real catalog, the 'embedding-map' job in a real engine process (out/main/engine.js), and the map cache.

const CONFIG = { backbone: { kind: 'nsfwjs' as const }, inputSize: 64 }

const tmp = tempDir('embedding-map')
let core: Core
let api: Api
let datasetId = 0

beforeAll(async () => {
  await writeSeparableDataset(path.join(tmp.dir, 'data'), 20, 64)
  core = createCore(path.join(tmp.dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  datasetId = (await importDataset(api, 'discs', path.join(tmp.dir, 'data'))).id
}, 120_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

/** Share of rows whose nearest class centroid (in the layout) is their own class. */
function centroidAccuracy(coords: number[], labels: number[], k: number): number {
  const c = new Float64Array(k * 2)
  const cnt = new Float64Array(k)
  labels.forEach((l, i) => {
    c[l * 2] += coords[i * 2]
    c[l * 2 + 1] += coords[i * 2 + 1]
    cnt[l]++
  })
  for (let l = 0; l < k; l++) {
    c[l * 2] /= cnt[l]
    c[l * 2 + 1] /= cnt[l]
  }
  let right = 0
  labels.forEach((l, i) => {
    const d = (m: number) => (coords[i * 2] - c[m * 2]) ** 2 + (coords[i * 2 + 1] - c[m * 2 + 1]) ** 2
    const best = [...Array(k).keys()].reduce((b, m) => (d(m) < d(b) ? m : b), 0)
    if (best === l) right++
  })
  return right / labels.length
}

describe('embedding map', () => {
  let map: EmbeddingMap

  it('sends the PCA first, then returns PCA and UMAP layouts in which the separable classes separate', async () => {
    const events: EmbeddingMapEvent[] = []
    const off = api.evidence.onMapEvent((e) => events.push(e))
    try {
      map = await api.evidence.computeEmbeddingMap({ datasetId, config: CONFIG })
    } finally {
      off()
    }
    const n = 40
    expect(map.itemIds).toHaveLength(n)
    expect(new Set(map.itemIds).size).toBe(n)
    expect(map.classes).toHaveLength(2)
    expect(map.labels.filter((l) => l === 0)).toHaveLength(20)
    expect(map.pca.coords).toHaveLength(2 * n)
    expect(map.umap?.coords).toHaveLength(2 * n)
    expect(map.umap!.coords.every(Number.isFinite)).toBe(true)
    expect(map.dim).toBeGreaterThan(100)
    expect(map.pca.explained[0]).toBeGreaterThan(map.pca.explained[1])
    expect(map.pca.explained[0] + map.pca.explained[1]).toBeLessThanOrEqual(1 + 1e-9)
    // Left-disc and right-disc images fall on their own side of the PCA plane.
    expect(centroidAccuracy(map.pca.coords, map.labels, 2)).toBeGreaterThanOrEqual(0.95)
    expect(centroidAccuracy(map.umap!.coords, map.labels, 2)).toBeGreaterThanOrEqual(0.9)
    const pcaAt = events.findIndex((e) => e.type === 'pca')
    expect(pcaAt).toBeGreaterThanOrEqual(0)
    const first = events[pcaAt] as Extract<EmbeddingMapEvent, { type: 'pca' }>
    expect(first.map.pca.coords).toEqual(map.pca.coords)
    expect(first.map.umap).toBeNull()
    // UMAP progress comes after the PCA.
    expect(events.slice(pcaAt).some((e) => e.type === 'progress' && /UMAP: epoch/.test(e.text))).toBe(true)
    expect(events.slice(0, pcaAt).some((e) => e.type === 'progress' && /embeddings/.test(e.text))).toBe(true)
  }, 240_000)

  it('answers the same items and backbone from the map cache, with colours read fresh', async () => {
    const cached = await api.evidence.getEmbeddingMap({ datasetId, config: CONFIG })
    expect(cached?.computedAt).toBe(map.computedAt)
    expect(cached?.pca.coords).toEqual(map.pca.coords)
    await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
    const again = await api.evidence.computeEmbeddingMap({ datasetId, config: CONFIG })
    expect(again.computedAt).toBe(map.computedAt)
    expect(again.splits.filter((s) => s === 'train').length).toBeGreaterThan(10)
    // Another input size is another backbone input: not in the cache.
    expect(await api.evidence.getEmbeddingMap({ datasetId, config: { ...CONFIG, inputSize: 96 } })).toBeNull()
  })

  it('cancels a running map (CANCELLED), caches nothing, and allows the next one', async () => {
    const other = { ...CONFIG, inputSize: 96 }
    const off = api.evidence.onMapEvent((e) => {
      if (e.type === 'progress') void api.evidence.cancelEmbeddingMap({ datasetId })
    })
    try {
      await expect(api.evidence.computeEmbeddingMap({ datasetId, config: other })).rejects.toMatchObject({
        code: 'CANCELLED'
      })
    } finally {
      off()
    }
    expect(await api.evidence.getEmbeddingMap({ datasetId, config: other })).toBeNull()
    const done = await api.evidence.computeEmbeddingMap({ datasetId, config: other, pcaOnly: true })
    expect(done.umap).toBeNull()
    expect(done.pca.coords).toHaveLength(80)
  }, 240_000)

  it('refuses a version of another dataset and says when nothing runs to cancel', async () => {
    await expect(api.evidence.cancelEmbeddingMap({ datasetId })).resolves.toEqual({ cancelled: false })
    await expect(api.evidence.getEmbeddingMap({ datasetId, versionId: 999, config: CONFIG })).rejects.toThrow(/999/)
  })
})

import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, StudyEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { builtEngine } from '../../helpers/engine'
import { importDataset } from '../../helpers/import-dataset'
import { tinyEncoder, writeColourNoisePng } from '../../helpers/onnx-encoders'
import { tempDir } from '../inference/fixtures'

// Evidence on an imported ONNX encoder (#17): the embedding map (the service resolves the encoder's file and
// declaration, the 'embedding-map' job embeds through it in a real engine process, the cache keeps its map apart
// from the MobileNetV2 one) and a cross-validation study whose folds are real runs on the encoder.

const tmp = tempDir('map-encoder')
let core: Core
let api: Api
let datasetId = 0
let sha256 = ''
const studyEvents: StudyEvent[] = []

beforeAll(async () => {
  const data = path.join(tmp.dir, 'data')
  const rng = mulberry32(5)
  for (const [cls, name] of ['red', 'blue'].entries()) {
    fs.mkdirSync(path.join(data, name), { recursive: true })
    for (let i = 0; i < 8; i++) await writeColourNoisePng(path.join(data, name, `img${i}.png`), cls as 0 | 1, rng)
  }
  const file = path.join(tmp.dir, 'enc.onnx')
  fs.writeFileSync(file, tinyEncoder({ layout: 'NCHW', output: 'spatial', size: 32, seed: 3 }))
  core = createCore(path.join(tmp.dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.evidence.onStudyEvent((e) => studyEvents.push(e))
  datasetId = (await importDataset(api, 'colours', data)).id
  const check = await api.training.checkEncoder({ path: file, declaration: { normalisation: { preset: 'imagenet' } } })
  sha256 = check.sha256
}, 120_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

describe('embedding map on an imported ONNX encoder', () => {
  it('embeds through the encoder, names it, and caches its map apart from the default backbone', async () => {
    const config = { backbone: { kind: 'onnx-encoder' as const, sha256 }, inputSize: 32, stage2: { enabled: false } }
    const map = await api.evidence.computeEmbeddingMap({ datasetId, config, pcaOnly: true })
    expect(map.itemIds).toHaveLength(16)
    expect(map.pca.coords).toHaveLength(32)
    expect(map.backbone).toMatch(/enc\.onnx|ONNX encoder/)
    expect(map.dim).toBeGreaterThan(0)
    // The same request reads the cache; the default backbone has no map of these items yet.
    expect((await api.evidence.getEmbeddingMap({ datasetId, config, pcaOnly: true }))?.pca.coords).toEqual(
      map.pca.coords
    )
    expect(await api.evidence.getEmbeddingMap({ datasetId, pcaOnly: true })).toBeNull()
  }, 180_000)

  it('names an encoder that is not imported', async () => {
    const config = {
      backbone: { kind: 'onnx-encoder' as const, sha256: 'ab'.repeat(32) },
      inputSize: 32,
      stage2: { enabled: false }
    }
    await expect(api.evidence.computeEmbeddingMap({ datasetId, config })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('cross-validates on the encoder: every fold a completed run on it, every item one out-of-fold prediction', async () => {
    const config = {
      backbone: { kind: 'onnx-encoder' as const, sha256 },
      inputSize: 32,
      stage1: { epochs: 8, mode: 'embeddings' as const, learningRate: 0.01 },
      stage2: { enabled: false },
      head: { fc1Units: 16, fc2Units: 8 },
      batchSize: 8,
      earlyStopping: { enabled: false },
      augmentation: { enabled: false }
    }
    const study = await api.evidence.startStudy({ datasetId, folds: 2, groupBy: { kind: 'none' }, seed: 1, config })
    await new Promise<void>((resolve) => {
      const check = () =>
        studyEvents.some((e) => e.studyId === study.id && e.type === 'status') ? resolve() : setTimeout(check, 50)
      check()
    })
    const detail = await api.evidence.getStudy({ studyId: study.id })
    expect(detail.error).toBeNull()
    expect(detail.status).toBe('completed')
    expect(detail.oofItems).toBe(16)
    for (const runId of detail.runIds) {
      const run = await api.training.getRun({ runId: runId! })
      expect(run.status).toBe('completed')
      expect(run.config.backbone).toMatchObject({ kind: 'onnx-encoder', sha256 })
    }
  }, 300_000)
})

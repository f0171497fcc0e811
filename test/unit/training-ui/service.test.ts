import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { CALIBRATION_SETTING } from '../../../src/main/training/runs/calibration/cache'
import { builtEngine } from '../../helpers/engine'
import { CLASSES, importAndSplit, QUICK, writeTrainingDataset } from './fixtures'

let dir = ''
let core: Core
let api: Api
let datasetId = 0
let completedRun = 0
const events: RunEvent[] = []

function finished(runId: number): Promise<RunEvent & { type: 'status' }> {
  return new Promise((resolve) => {
    const check = () => {
      const e = events.find((x) => x.runId === runId && x.type === 'status' && x.status !== 'running')
      if (e) resolve(e as RunEvent & { type: 'status' })
      else setTimeout(check, 50)
    }
    check()
  })
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-train-ui-svc-'))
  await writeTrainingDataset(path.join(dir, 'data'), 6, 1)
  importAndSplit(path.join(dir, 'data'), 'mri', path.join(dir, 'ws'))
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.training.onRunEvent((e) => events.push(e))
  datasetId = (await api.datasets.list({}))[0].id
  const run = await api.training.startRun({ datasetId, name: 'baseline', config: QUICK })
  expect((await finished(run.id)).status).toBe('completed')
  completedRun = run.id
}, 120_000)

afterAll(() => {
  core?.close()
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
})

describe('rename, annotate, delete', () => {
  it('renames and annotates a run, and says which run is missing', async () => {
    expect((await api.training.renameRun({ runId: completedRun, name: '  head only, 32 px ' })).name).toBe(
      'head only, 32 px'
    )
    expect((await api.training.annotateRun({ runId: completedRun, note: 'baseline for the ablation' })).note).toBe(
      'baseline for the ablation'
    )
    const detail = await api.training.getRun({ runId: completedRun })
    expect([detail.name, detail.note]).toEqual(['head only, 32 px', 'baseline for the ablation'])
    await expect(api.training.renameRun({ runId: 9999, name: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('run 9999')
    })
    await expect(api.training.renameRun({ runId: completedRun, name: '   ' })).rejects.toThrow(/must not be empty/)
  })

  it('refuses to delete a running run, then deletes a stopped one with its rows and model folder', async () => {
    const run = await api.training.startRun({
      datasetId,
      name: 'to delete',
      config: { ...QUICK, stage1: { epochs: 200, mode: 'embeddings' } }
    })
    await expect(api.training.deleteRun({ runId: run.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`run ${run.id}`)
    })
    await api.training.cancelRun({ runId: run.id })
    expect((await finished(run.id)).status).toBe('stopped')
    const folder = path.join(core.ctx.workspace.modelsDir, `run-${run.id}`)
    expect(fs.existsSync(folder)).toBe(true)
    expect(await api.training.deleteRun({ runId: run.id })).toEqual({ runId: run.id, removedFolder: folder })
    expect(fs.existsSync(folder)).toBe(false)
    await expect(api.training.getRun({ runId: run.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const left = core.ctx.workspace.db.prepare('SELECT COUNT(*) AS n FROM run_log WHERE run_id = ?').get(run.id) as {
      n: number
    }
    expect(left.n).toBe(0)
    expect((await api.training.listRuns({})).map((r) => r.id)).toEqual([completedRun])
  }, 60_000)
})

describe('estimate', () => {
  it('measures speeds once in an engine, caches them per backend and input size, and reuses them', async () => {
    core.ctx.workspace.settings.set(CALIBRATION_SETTING, {})
    const est = await api.training.estimate({ datasetId, config: QUICK })
    expect(est.calibration.fromCache).toBe(false)
    expect(est.images).toEqual({ train: 9, val: 6, test: 6 })
    expect(est.perStage.map((p) => p.part)).toEqual(['setup', 'embeddings', 'stage1', 'evaluation'])
    const part = (e: typeof est, name: string) => e.perStage.find((p) => p.part === name)!
    expect(est.calibration.embedImagesPerSecond).toBeGreaterThan(0)
    expect(est.calibration.headSamplesPerSecond).toBeGreaterThan(0)
    expect(est.seconds).toBeCloseTo(
      est.perStage.reduce((a, p) => a + p.seconds, 0),
      6
    )
    // 21 images embedded once at the measured rate.
    expect(part(est, 'embeddings').seconds).toBeCloseTo(21 / est.calibration.embedImagesPerSecond, 6)
    expect(part(est, 'setup').seconds).toBeGreaterThan(0)
    const stored = Object.keys(core.ctx.workspace.settings.get(CALIBRATION_SETTING)!.value as object)
    expect(stored).toEqual(
      expect.arrayContaining([
        `embed|${est.backend}|32|mobilenetv2`,
        `head|v2|${est.backend}|b8`,
        `engine|${est.backend}`
      ])
    )

    const t0 = performance.now()
    const again = await api.training.estimate({
      datasetId,
      config: { ...QUICK, stage1: { epochs: 10, mode: 'embeddings' } }
    })
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(again.calibration.fromCache).toBe(true)
    // Twice the epochs, twice the stage-1 time, from the same measurement.
    expect(part(again, 'stage1').seconds).toBeCloseTo(2 * part(est, 'stage1').seconds, 6)
    expect(part(again, 'setup').seconds).toBe(part(est, 'setup').seconds)
  }, 120_000)

  it('estimates stage 2 on the backend it would use and says so plainly, never dropping it', async () => {
    const est = await api.training.estimate({ datasetId, config: { ...QUICK, stage2: { enabled: true, epochs: 2 } } })
    const s2 = est.perStage.find((p) => p.part === 'stage2')!
    expect(s2.seconds).toBeGreaterThan(0)
    expect(s2.epochs).toBe(2)
    expect(est.calibration.stage2?.trainImagesPerSecond).toBeGreaterThan(0)
    if (est.backend === 'wasm') {
      expect(s2.backend).toBe('cpu')
      expect(est.warnings.join('\n')).toMatch(/Stage 2 runs on the cpu backend, typically ~20× slower than wasm/)
    } else expect(s2.backend).toBe(est.backend)
    await expect(api.training.estimate({ datasetId: 4242, config: QUICK })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  }, 120_000)
})

describe('checkBackbone', () => {
  it('loads the nsfwjs backbone in an engine and describes its source', async () => {
    const c = await api.training.checkBackbone({ kind: 'nsfwjs' })
    expect(c.source.description).toMatch(
      /nsfwjs .*npm package \(Keras 2\.2\.4, uint8-quantised, ImageNet-initialised then fine-tuned on NSFW/
    )
    expect(c.source.inputScaling).toBe('[0,1]')
    expect(c.source.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(c.featureDim).toBe(1280)
    expect(c.parameters).toBeGreaterThan(2_000_000)
  }, 60_000)

  it('names the file and the reason when a weights file cannot be used', async () => {
    const missing = path.join(dir, 'nope.h5')
    await expect(api.training.checkBackbone({ kind: 'keras-h5', path: missing })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(missing)
    })
    const notH5 = path.join(dir, 'data', CLASSES[0], 'img00.png')
    await expect(api.training.checkBackbone({ kind: 'keras-h5', path: notH5 })).rejects.toThrow(
      new RegExp(`img00\\.png`)
    )
    await expect(api.training.checkBackbone({ kind: 'tfjs-dir' })).rejects.toThrow(/a path is required/)
  }, 60_000)
})

describe('exportReport', () => {
  it('writes a self-contained HTML report into exports/ and returns it', async () => {
    const r = await api.training.exportReport({ runId: completedRun })
    expect(path.dirname(r.path)).toBe(core.ctx.workspace.exportsDir)
    expect(r.fileName).toBe(`run-${completedRun}-head-only-32-px.html`)
    expect(fs.readFileSync(r.path, 'utf8')).toBe(r.html)
    expect(r.bytes).toBe(fs.statSync(r.path).size)
    const detail = await api.training.getRun({ runId: completedRun })
    const version = (await api.datasets.listVersions({ datasetId })).find((v) => v.id === detail.versionId)!
    for (const text of [
      version.fingerprint,
      ...CLASSES,
      'baseline for the ablation',
      detail.backboneInfo!.description,
      'Confusion matrix'
    ]) {
      expect(r.html).toContain(text)
    }
    expect(r.html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(/i)
    await expect(api.training.exportReport({ runId: 777 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

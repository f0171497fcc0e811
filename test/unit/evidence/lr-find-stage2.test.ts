import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, LrFindEvent, LrFindResult, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { importDataset, QUICK_RUN_CONFIG } from '../../helpers/import-dataset'
import { tempDir } from '../inference/fixtures'
import { writeSeparableDataset } from '../run/fixtures'

// The stage 2 learning-rate sweep end to end: a real run trains its stage 1 head in a real engine, then the
// 'lr-find' job sweeps stage 2 (top 30 layers + head, ONNX Runtime) from that head, through the API and the CLI;
// and a running sweep is cancelled.

const ROOT = path.resolve(__dirname, '../../..')
const exec = promisify(execFile)
const tmp = tempDir('lr-find-2')
const ws = path.join(tmp.dir, 'ws')
let core: Core
let api: Api
let datasetId = 0
let runId = 0

function openCore(): void {
  core = createCore(ws, 'cli', builtEngine())
  api = directApi(core)
}

beforeAll(async () => {
  await writeSeparableDataset(path.join(tmp.dir, 'data'), 16, 64)
  openCore()
  datasetId = (await importDataset(api, 'discs', path.join(tmp.dir, 'data'))).id
  await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
  const events: RunEvent[] = []
  api.training.onRunEvent((e) => events.push(e))
  // Stage 1 only, long enough for the head to learn the discs: the sweep must start from this head.
  const run = await api.training.startRun({
    datasetId,
    name: 'stage 1',
    config: {
      ...QUICK_RUN_CONFIG,
      backbone: { kind: 'nsfwjs' },
      inputSize: 64,
      stage1: { epochs: 30, mode: 'embeddings', learningRate: 3e-3 }
    }
  })
  runId = run.id
  await new Promise<void>((resolve) => {
    const check = () =>
      events.some((e) => e.runId === runId && e.type === 'status' && e.status !== 'running')
        ? resolve()
        : setTimeout(check, 50)
    check()
  })
  const trained = await api.training.getRun({ runId })
  expect(trained.status).toBe('completed')
  expect(trained.evaluation!.accuracy).toBeGreaterThanOrEqual(0.75)
}, 240_000)
afterAll(async () => {
  await core?.close()
  tmp.cleanup()
})

describe('stage 2 learning-rate finder', () => {
  it('sweeps the top 30 layers + head from the run’s stage 1 head on ONNX Runtime', async () => {
    const events: LrFindEvent[] = []
    const off = api.evidence.onLrFindEvent((e) => events.push(e))
    let r: LrFindResult
    try {
      r = await api.evidence.findLearningRate({ datasetId, stage: 2, runId, steps: 30, minLr: 1e-7, maxLr: 10 })
    } finally {
      off()
    }
    expect(r.stage).toBe(2)
    expect(r.runId).toBe(runId)
    expect(r.trained).toBe('top 30 backbone layers + head')
    expect(r.backend).toBe('ort')
    // The run's training split: 16 of 32 images (val and test take a quarter each), batch 8 of its config.
    expect(r.images).toBe(16)
    expect(r.batchSize).toBe(8)
    expect(r.lrs[0]).toBeCloseTo(1e-7, 14)
    expect(r.lrs.length).toBe(r.losses.length)
    // Started from the learned head: the first batches' loss is well under a fresh two-class head's ln 2.
    expect(r.losses[0]).toBeLessThan(0.45)
    // At rates up to 10 the fine-tuned layers blow up: the sweep stops there.
    expect(r.diverged).toBe(true)
    expect(events.some((e) => /stage 2 trains on ONNX Runtime/.test(e.text))).toBe(true)
  }, 240_000)

  it('names what is missing: no run, a run of another dataset', async () => {
    await expect(api.evidence.findLearningRate({ datasetId, stage: 2 })).rejects.toThrow(/stage 2 sweep needs runId/)
    await expect(api.evidence.findLearningRate({ datasetId, stage: 2, runId: 999 })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    const other = await api.datasets.create({ name: 'other' })
    await expect(api.evidence.findLearningRate({ datasetId: other.id, stage: 2, runId })).rejects.toThrow(
      /run \d+ trained on another dataset \("discs"\)/
    )
  })

  it('cancels a running sweep (one sweep per dataset at a time)', async () => {
    await expect(api.evidence.cancelLearningRate({ datasetId })).resolves.toEqual({ cancelled: false })
    const sweep = api.evidence.findLearningRate({ datasetId, stage: 2, runId, steps: 400 })
    const failed = sweep.then(
      () => null,
      (err: unknown) => err as Error & { code: string }
    )
    await new Promise<void>((resolve) => {
      const off = api.evidence.onLrFindEvent((e) => {
        if (e.text.startsWith('Learning rate')) {
          off()
          resolve()
        }
      })
    })
    await expect(api.evidence.findLearningRate({ datasetId, stage: 2, runId })).rejects.toMatchObject({
      code: 'CONFLICT'
    })
    expect(await api.evidence.cancelLearningRate({ datasetId })).toEqual({ cancelled: true })
    const err = (await failed)!
    expect(err.code).toBe('CANCELLED')
    expect(err.message).toMatch(/learning-rate sweep was cancelled/)
  }, 120_000)

  it('runs as `neuropath lr-find --dataset NAME --stage 2 --run ID --json`', async () => {
    await core.close()
    const cli = (...args: string[]) =>
      exec(process.execPath, [path.join(ROOT, 'bin/neuropath.mjs'), 'lr-find', ...args, '--workspace', ws])
    const { stdout } = await cli(
      '--dataset',
      'discs',
      '--stage',
      '2',
      '--run',
      String(runId),
      '--steps',
      '20',
      '--json'
    )
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as LrFindResult
    expect(last).toMatchObject({ stage: 2, runId, trained: 'top 30 backbone layers + head' })
    expect(last.lrs.length).toBeLessThanOrEqual(20)
    await expect(cli('--dataset', 'discs', '--stage', '2')).rejects.toMatchObject({
      stderr: expect.stringMatching(/--stage 2 needs --run ID/)
    })
    openCore()
  }, 180_000)
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { writeSeparableDataset } from './fixtures'

let dir = ''
let core: Core
let api: Api
let datasetId = 0
const events: RunEvent[] = []

/** Resolves when the run reaches a final status. */
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

const QUICK = {
  backbone: { kind: 'random' as const },
  inputSize: 32,
  head: { fc1Units: 32, fc2Units: 16 },
  batchSize: 8,
  stage1: { epochs: 4, mode: 'embeddings' as const },
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-train-svc-'))
  await writeSeparableDataset(path.join(dir, 'data'), 10)
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.training.onRunEvent((e) => events.push(e))
  const imp = await api.datasets.startImport({ dataset: 'toy', root: path.join(dir, 'data') })
  await new Promise<void>((resolve) => {
    const off = api.datasets.onImportFinished((f) => {
      if (f.importId === imp.importId) {
        off()
        resolve()
      }
    })
  })
  const ds = (await api.datasets.list({})).find((d) => d.name === 'toy')!
  datasetId = ds.id
  await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
}, 120_000)
afterAll(() => {
  core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('training service with a real engine process', () => {
  it('runs to completion and records exactly the epochs the engine reported', async () => {
    const run = await api.training.startRun({ datasetId, name: 'quick', config: QUICK })
    expect(run.status).toBe('running')
    const end = await finished(run.id)
    expect(end.status).toBe('completed')
    const detail = await api.training.getRun({ runId: run.id })
    const reported = events
      .filter((e) => e.runId === run.id && e.type === 'epoch')
      .map((e) => (e.type === 'epoch' ? e.metrics : null))
    expect(detail.epochs).toEqual(reported)
    expect(detail.epochs).toHaveLength(4)
    expect(detail.backend).toBeTruthy()
    expect(detail.backboneInfo?.kind).toBe('random')
    expect(detail.evaluation?.split).toBe('test')
    expect(fs.existsSync(path.join(detail.modelDir!, 'neuropath.json'))).toBe(true)
    expect((await api.training.listRuns({}))[0].id).toBe(run.id)
  }, 120_000)

  it('refuses bad requests with a clear message', async () => {
    await expect(api.training.startRun({ datasetId: 999, config: QUICK })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(api.training.startRun({ datasetId, config: { ...QUICK, inputSize: 8 } })).rejects.toThrow(
      /inputSize: must be ≥ 32/
    )
    await expect(api.training.cancelRun({ runId: 12345 })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('marks a run interrupted when its engine process is killed, then resumes it to completion', async () => {
    const run = await api.training.startRun({
      datasetId,
      name: 'killed',
      config: {
        ...QUICK,
        stage1: { epochs: 40, mode: 'embeddings', learningRate: 1e-4 },
        earlyStopping: { enabled: false }
      }
    })
    // Wait for the second epoch, then kill the engine child of this process outright.
    await new Promise<void>((resolve) => {
      const check = () =>
        events.some((e) => e.runId === run.id && e.type === 'epoch' && e.metrics.epoch >= 1)
          ? resolve()
          : setTimeout(check, 20)
      check()
    })
    const started = events.find((e) => e.runId === run.id && e.type === 'log' && /engine process \d+/.test(e.line))
    const pid = Number(/engine process (\d+)/.exec(started?.type === 'log' ? started.line : '')?.[1])
    expect(pid).toBeGreaterThan(0)
    process.kill(pid, 'SIGKILL')
    const end = await finished(run.id)
    expect(end.status).toBe('interrupted')
    expect(end.error).toMatch(/ended unexpectedly \(signal SIGKILL\)/)
    const saved = (await api.training.getRun({ runId: run.id })).epochs.length
    expect(saved).toBeGreaterThanOrEqual(2)

    events.length = 0
    await api.training.resumeRun({ runId: run.id })
    expect((await finished(run.id)).status).toBe('completed')
    const detail = await api.training.getRun({ runId: run.id })
    expect(detail.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(detail.marks.some((m) => m.kind === 'resume')).toBe(true)
  }, 180_000)
})

import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, LrFindEvent, LrFindResult } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { importDataset } from '../../helpers/import-dataset'
import { tempDir } from '../inference/fixtures'
import { writeSeparableDataset } from '../run/fixtures'

// The learning-rate finder end to end: a generated separable dataset (a bright disc left vs right) imported
// into a real catalog, the 'lr-find' job in a real engine process (out/main/engine.js), and the CLI.

const CONFIG = {
  backbone: { kind: 'nsfwjs' as const },
  inputSize: 64,
  batchSize: 8,
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

const ROOT = path.resolve(__dirname, '../../..')
const run = promisify(execFile)
const tmp = tempDir('lr-find')
const ws = path.join(tmp.dir, 'ws')
let core: Core
let api: Api
let datasetId = 0

beforeAll(async () => {
  await writeSeparableDataset(path.join(tmp.dir, 'data'), 24, 64)
  core = createCore(ws, 'cli', builtEngine())
  api = directApi(core)
  const ds = await importDataset(api, 'discs', path.join(tmp.dir, 'data'))
  datasetId = ds.id
}, 120_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

describe('learning-rate finder', () => {
  it('refuses a dataset without a training split, naming it', async () => {
    await expect(api.evidence.findLearningRate({ datasetId, config: CONFIG })).rejects.toThrow(
      /dataset "discs" has no training images; split the dataset first/
    )
  })

  it('sweeps the head on a separable dataset and suggests a rate in a sane range', async () => {
    await api.datasets.split({ datasetId, val: 0.2, test: 0.2, seed: 1, groupBy: { kind: 'none' } })
    const events: LrFindEvent[] = []
    const off = api.evidence.onLrFindEvent((e) => events.push(e))
    let r: LrFindResult
    try {
      r = await api.evidence.findLearningRate({ datasetId, config: CONFIG })
    } finally {
      off()
    }
    expect(r.stage).toBe(1)
    expect(r.images).toBeGreaterThan(20)
    expect(r.images).toBeLessThan(48)
    expect(r.lrs.length).toBeGreaterThan(50)
    expect(r.lrs.length).toBe(r.losses.length)
    expect(r.lrs[0]).toBeCloseTo(1e-6, 12)
    for (let i = 1; i < r.lrs.length; i++) expect(r.lrs[i]).toBeGreaterThan(r.lrs[i - 1])
    // The loss falls somewhere along the sweep (the data is separable), and the suggestion sits where it falls.
    const finite = r.smoothed.filter(Number.isFinite)
    expect(Math.min(...finite)).toBeLessThan(r.smoothed[0] * 0.8)
    expect(r.suggested).not.toBeNull()
    expect(r.suggested!).toBeGreaterThanOrEqual(1e-5)
    expect(r.suggested!).toBeLessThanOrEqual(0.3)
    expect(r.minimumOver10).toBeGreaterThan(1e-6)
    expect(events.some((e) => e.datasetId === datasetId && /embeddings/.test(e.text))).toBe(true)
    expect(events.filter((e) => e.text.startsWith('Learning rate')).length).toBe(r.lrs.length)
  }, 180_000)

  it('runs as `neuropath lr-find --dataset NAME --json`, the last line being the result', async () => {
    core.close()
    const cfg = path.join(tmp.dir, 'config.json')
    fs.writeFileSync(cfg, JSON.stringify(CONFIG))
    const { stdout } = await run(process.execPath, [
      path.join(ROOT, 'bin/neuropath.mjs'),
      'lr-find',
      '--dataset',
      'discs',
      '--config',
      cfg,
      '--steps',
      '40',
      '--json',
      '--workspace',
      ws
    ])
    const lines = stdout.trim().split('\n')
    const last = JSON.parse(lines.at(-1)!) as LrFindResult
    expect(last.datasetId).toBe(datasetId)
    expect(last.lrs.length).toBeLessThanOrEqual(40)
    expect(last.lrs.length).toBe(last.smoothed.length)
    expect(last.suggested).not.toBeNull()
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'progress' })
    core = createCore(ws, 'cli', builtEngine())
  }, 180_000)
})

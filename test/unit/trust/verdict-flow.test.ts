import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import type { CommandContext } from '../../../src/main/cli/command'
import { classifyCommand } from '../../../src/main/cli/commands/classify'
import { resumeCommand } from '../../../src/main/cli/commands/resume'
import { trainCommand } from '../../../src/main/cli/commands/train'
import type { RunResultJson } from '../../../src/main/cli/follow-run'
import type { Output } from '../../../src/main/cli/output'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { NOISE_CONFIG, writeNoiseDataset } from './fixtures'

// Labels that do not follow the images: the run must be flagged "did not learn", in the CLI result, the catalog,
// the model card and before Classify uses it. The version has no test split, so nothing may be called a test figure.

let dir = ''
let ws = ''
let core: Core
let api: Api
let configFile = ''

/** The command's context: a core on the test workspace with the built engine; results captured. */
function context(results: unknown[]): CommandContext {
  const out: Output = {
    json: true,
    info: () => undefined,
    event: () => undefined,
    result: (obj) => void results.push(obj)
  }
  return { out, openCore: () => createCore(ws, 'cli', builtEngine()) }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-verdict-'))
  ws = path.join(dir, 'ws')
  await writeNoiseDataset(path.join(dir, 'data'), 12)
  core = createCore(ws, 'cli', builtEngine())
  api = directApi(core)
  const imp = await api.datasets.startImport({ dataset: 'noise', root: path.join(dir, 'data') })
  await new Promise<void>((resolve) => {
    const off = api.datasets.onImportFinished((f) => {
      if (f.importId === imp.importId) {
        off()
        resolve()
      }
    })
  })
  const ds = (await api.datasets.list({})).find((d) => d.name === 'noise')!
  // 85/15/0 as in the issue: no test split.
  await api.datasets.split({ datasetId: ds.id, val: 0.25, test: 0, seed: 3, groupBy: { kind: 'none' } })
  configFile = path.join(dir, 'config.json')
  fs.writeFileSync(configFile, JSON.stringify(NOISE_CONFIG))
  core.close()
}, 120_000)
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

/** The result line of the `train` command in the first test (resume must print the same contract). */
let result: RunResultJson

describe('a run that did not learn is flagged everywhere', () => {
  it('train --json names the split of every figure and carries the verdict', async () => {
    const results: unknown[] = []
    const t0 = Date.now()
    const code = await trainCommand.run(['--dataset', 'noise', '--config', configFile, '--json'], context(results))
    const wall = (Date.now() - t0) / 1000
    expect(code).toBe(0)
    result = results[0] as RunResultJson
    expect(result.status).toBe('completed')
    expect(result.metrics.evaluation?.split).toBe('val')
    // No key anywhere in the result calls a validation figure a test figure.
    expect(JSON.stringify(result)).not.toMatch(/test/i)
    expect(result.verdict?.kind).toBe('did-not-learn')
    expect(result.verdict?.split).toBe('val')
    expect(result.verdict?.cause.length).toBeGreaterThan(40)
    // Wall-clock duration: more than the epochs' own seconds, no more than the command took.
    expect(result.durationSeconds).toBeLessThanOrEqual(wall + 0.2)
    expect(result.durationSeconds).toBeGreaterThan(wall * 0.5)
  }, 300_000)

  it('stores the verdict with the run and in the model card, and Classify refuses it until confirmed', async () => {
    const c = createCore(ws, 'cli', builtEngine())
    try {
      const a = directApi(c)
      const run = await a.training.getRun({ runId: result.runId })
      expect(run.verdict?.kind).toBe('did-not-learn')
      expect(run.evaluationSplit).toBe('val')
      expect(run.durationSeconds).toBeGreaterThan(run.epochs.reduce((t, e) => t + e.seconds, 0))
      // The report: the verdict first, every figure named by its split, duration matching start → finish.
      const report = await a.training.exportReport({ runId: run.id })
      expect(report.html).toContain('data-verdict="did-not-learn"')
      expect(report.html).toContain('validation accuracy')
      expect(report.html).not.toMatch(/test accuracy/i)
      expect(report.html).toContain('no test split: optimistic')
      const wall = (Date.parse(run.finishedAt!) - Date.parse(run.startedAt!)) / 1000
      expect(Math.abs(run.durationSeconds - wall)).toBeLessThan(1)
      expect(report.html).toContain(`duration (wall clock)<b>${Math.round(run.durationSeconds)} s</b>`)
      const card = JSON.parse(fs.readFileSync(path.join(run.modelDir!, 'neuropath.json'), 'utf8'))
      expect(card.learning.kind).toBe('did-not-learn')
      expect(card.metrics.evaluationSplit).toBe('val')
      const [model] = await a.inference.listModels({})
      expect(model.verdict?.kind).toBe('did-not-learn')
      expect(model.evaluation?.split).toBe('val')
      const folder = path.join(dir, 'data', 'c0')
      await expect(a.inference.startJob({ runId: run.id, folder })).rejects.toMatchObject({ code: 'CONFLICT' })
      await expect(a.inference.startJob({ runId: run.id, folder })).rejects.toThrow(/did not learn/)
      // A model folder used from outside the workspace carries its warning in the card.
      const byFolder = await a.inference.describeModel({ modelDir: run.modelDir! })
      expect(byFolder.verdict?.kind).toBe('did-not-learn')
      const job = await a.inference.startJob({ runId: run.id, folder, acceptFlaggedModel: true, saliency: false })
      expect(job.status).toBe('running')
      await new Promise<void>((resolve) => {
        const off = a.inference.onJobEvent((e) => {
          if (e.jobId === job.id && e.type === 'status' && e.status !== 'running') {
            off()
            resolve()
          }
        })
      })
    } finally {
      c.close()
    }
  }, 120_000)

  it('the classify command refuses a flagged model without --accept-flagged-model', async () => {
    const out = path.join(dir, 'out.csv')
    await expect(
      classifyCommand.run(
        [path.join(dir, 'data', 'c1'), '--run', String(result.runId), '--out', out, '--json'],
        context([])
      )
    ).rejects.toThrow(/--accept-flagged-model/)
    expect(fs.existsSync(out)).toBe(false)
  }, 60_000)
})

describe('neuropath resume', () => {
  it('continues a stopped run and prints the same result contract as train', async () => {
    const c = createCore(ws, 'cli', builtEngine())
    const a = directApi(c)
    const ds = (await a.datasets.list({}))[0]
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'))
    const events: RunEvent[] = []
    a.training.onRunEvent((e) => events.push(e))
    const run = await a.training.startRun({
      datasetId: ds.id,
      name: 'to resume',
      config: { ...config, stage1: { epochs: 60, mode: 'embeddings' }, earlyStopping: { enabled: false } }
    })
    await new Promise<void>((resolve) => {
      const check = () =>
        events.some((e) => e.runId === run.id && e.type === 'epoch') ? resolve() : setTimeout(check, 50)
      check()
    })
    await a.training.cancelRun({ runId: run.id })
    await new Promise<void>((resolve) => {
      const check = () =>
        events.some((e) => e.runId === run.id && e.type === 'status' && e.status !== 'running')
          ? resolve()
          : setTimeout(check, 50)
      check()
    })
    expect((await a.training.getRun({ runId: run.id })).status).toBe('stopped')
    c.close()

    const results: unknown[] = []
    const code = await resumeCommand.run(['--run', String(run.id), '--json'], context(results))
    expect(code).toBe(0)
    const r = results[0] as RunResultJson
    expect(Object.keys(r).sort()).toEqual(Object.keys(result).sort())
    expect(r.runId).toBe(run.id)
    expect(r.status).toBe('completed')
    await expect(resumeCommand.run(['--run', String(run.id)], context([]))).rejects.toThrow(/completed/)
  }, 600_000)
})

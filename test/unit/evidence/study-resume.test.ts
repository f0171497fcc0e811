import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent, StudyEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { importDataset, QUICK_RUN_CONFIG } from '../../helpers/import-dataset'
import { writeSeparableDataset } from '../run/fixtures'

let dir = ''
let core: Core
let api: Api
let datasetId = 0
let studyEvents: StudyEvent[] = []
let runEvents: RunEvent[] = []

function open(): void {
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  studyEvents = []
  runEvents = []
  api.evidence.onStudyEvent((e) => studyEvents.push(e))
  api.training.onRunEvent((e) => runEvents.push(e))
}

function until(test: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => (test() ? resolve() : setTimeout(check, 20))
    check()
  })
}

// Long enough folds (no early stopping) that the app can be closed in the middle of the second one.
const CONFIG = {
  ...QUICK_RUN_CONFIG,
  stage1: { epochs: 30, mode: 'embeddings' as const },
  earlyStopping: { enabled: false }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-cv-resume-'))
  await writeSeparableDataset(path.join(dir, 'data'), 9)
  open()
  datasetId = (await importDataset(api, 'toy', path.join(dir, 'data'))).id
}, 120_000)
afterAll(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('resuming a cross-validation study after the app closed mid-study', () => {
  it('keeps the finished fold, resumes the interrupted fold from its last epoch and trains the rest', async () => {
    const study = await api.evidence.startStudy({
      datasetId,
      folds: 3,
      groupBy: { kind: 'none' },
      seed: 2,
      config: CONFIG
    })
    const studyId = study.id
    // Fold 1 finished; fold 2's run has saved at least two epochs: close the app (the engine is stopped).
    await until(() => studyEvents.some((e) => e.type === 'fold-started' && e.fold === 1))
    const fold2 = (studyEvents.find((e) => e.type === 'fold-started' && e.fold === 1) as { runId: number }).runId
    await until(() => runEvents.some((e) => e.runId === fold2 && e.type === 'epoch' && e.metrics.epoch >= 1))
    await core.close()

    open()
    const interrupted = await api.evidence.getStudy({ studyId })
    expect(interrupted.status).toBe('interrupted')
    expect(interrupted.error).toMatch(/app closed/)
    const [fold1, again2, fold3] = interrupted.runIds
    expect(again2).toBe(fold2)
    expect(fold3).toBeNull()
    expect((await api.training.getRun({ runId: fold1! })).status).toBe('completed')
    const cut = await api.training.getRun({ runId: fold2 })
    expect(cut.status).toBe('interrupted')
    const savedEpochs = cut.epochs.length
    expect(savedEpochs).toBeGreaterThanOrEqual(2)
    expect(savedEpochs).toBeLessThan(30)
    // The first fold's held-out predictions were stored before the interruption (8 or 6 items per fold).
    expect(interrupted.oofItems).toBeGreaterThan(0)
    expect(interrupted.oofItems).toBeLessThan(18)

    // A completed or unknown study cannot resume; the interrupted one can.
    await expect(api.evidence.resumeStudy({ studyId: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const resumed = await api.evidence.resumeStudy({ studyId })
    expect(resumed.status).toBe('running')
    await expect(api.evidence.resumeStudy({ studyId })).rejects.toMatchObject({ code: 'CONFLICT' })
    await until(() => studyEvents.some((e) => e.type === 'status' && e.status !== 'running'))

    const done = await api.evidence.getStudy({ studyId })
    expect(done.error).toBeNull()
    expect(done.status).toBe('completed')
    expect(done.oofItems).toBe(18)
    expect(done.items).toBe(18)
    // Fold 1 kept its run, fold 2 continued in its own run, fold 3 got a new one.
    expect(done.runIds[0]).toBe(fold1)
    expect(done.runIds[1]).toBe(fold2)
    expect(done.runIds[2]).not.toBeNull()
    expect(new Set(done.runIds).size).toBe(3)
    expect(studyEvents.filter((e) => e.type === 'fold-started').map((e) => e.fold)).toEqual([1, 2])
    const continued = await api.training.getRun({ runId: fold2 })
    expect(continued.status).toBe('completed')
    expect(continued.marks.some((m) => m.kind === 'resume')).toBe(true)
    expect(continued.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(done.metrics!.perFold).toHaveLength(3)
    await expect(api.evidence.resumeStudy({ studyId })).rejects.toThrow(/study \d+ is completed; only an interrupted/)

    // The CLI: `cv --resume STUDY` names a completed study's state, and refuses settings the study already has.
    await core.close()
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [
        path.resolve(__dirname, '../../../bin/neuropath.mjs'),
        'cv',
        ...args,
        '--workspace',
        path.join(dir, 'ws')
      ])
    await expect(cli('--resume', String(studyId), '--json')).rejects.toMatchObject({
      stderr: expect.stringMatching(/study \d+ is completed; only an interrupted, stopped or failed study can resume/)
    })
    await expect(cli('--resume', String(studyId), '--folds', '4')).rejects.toMatchObject({
      stderr: expect.stringMatching(/--resume continues study \d+ as it was set up; drop --folds/)
    })
    open()
  }, 300_000)
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, StudyEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { evaluatePredictions } from '../../../src/main/training/metrics/evaluate'
import { builtEngine } from '../../helpers/engine'
import { importDataset, QUICK_RUN_CONFIG } from '../../helpers/import-dataset'
import { writeSeparableDataset } from '../run/fixtures'

let dir = ''
let core: Core
let api: Api
let datasetId = 0
const events: StudyEvent[] = []

function studyEnd(studyId: number): Promise<StudyEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const e = events.find((x) => x.studyId === studyId && x.type === 'status')
      if (e) resolve(e)
      else setTimeout(check, 50)
    }
    check()
  })
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-cv-'))
  await writeSeparableDataset(path.join(dir, 'data'), 12)
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.evidence.onStudyEvent((e) => events.push(e))
  datasetId = (await importDataset(api, 'toy', path.join(dir, 'data'))).id
}, 120_000)
afterAll(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('cross-validation study with real runs', () => {
  let studyId = 0

  it('trains one real run per fold on one frozen version, holding each fold out once', async () => {
    // Group by the first digit of the file name: img1, img10 and img11 of both classes form one group.
    const study = await api.evidence.startStudy({
      datasetId,
      folds: 3,
      groupBy: { kind: 'regex', pattern: 'img(\\d)' },
      seed: 3,
      config: QUICK_RUN_CONFIG
    })
    studyId = study.id
    expect(study.status).toBe('running')
    expect((await studyEnd(study.id)).type).toBe('status')
    const detail = await api.evidence.getStudy({ studyId })
    expect(detail.error).toBeNull()
    expect(detail.status).toBe('completed')
    expect(detail.items).toBe(24)
    expect(detail.oofItems).toBe(24)
    expect(detail.groups).toBe(10)
    expect(detail.runIds.every((r) => r !== null)).toBe(true)
    // Stratified: every fold holds both classes.
    for (const counts of detail.foldCounts) for (const c of counts) expect(c).toBeGreaterThan(0)

    const heldOut = new Map<number, number>()
    for (const [fold, runId] of detail.runIds.entries()) {
      const run = await api.training.getRun({ runId: runId! })
      expect(run.status).toBe('completed')
      expect(run.versionId).toBe(detail.versionId)
      expect(run.evaluation?.split).toBe('test')
      for (const id of run.evaluation!.predictions!.itemIds) {
        expect(heldOut.has(id)).toBe(false)
        heldOut.set(id, fold)
      }
      expect(detail.metrics!.perFold[fold].accuracy).toBe(run.evaluation!.accuracy)
    }
    // Every item predicted exactly once, and a group's items all in the same fold.
    expect(heldOut.size).toBe(24)
    const items = (await api.datasets.listItems({ datasetId, limit: 100 })).items
    const foldOfGroup = new Map<string, number>()
    for (const it of items) {
      const key = /img(\d)/.exec(it.relPath)![1]
      const f = heldOut.get(it.id)!
      if (foldOfGroup.has(key)) expect(f).toBe(foldOfGroup.get(key))
      else foldOfGroup.set(key, f)
    }
    const m = detail.metrics!
    const accs = m.perFold.map((f) => f.accuracy)
    expect(m.accuracy.mean).toBeCloseTo(accs.reduce((a, b) => a + b, 0) / 3, 12)
    expect(m.accuracy.ci95[0]).toBeLessThanOrEqual(m.accuracy.mean)
    expect(m.pooled!.method).toBe('groups')
    expect(m.pooled!.units).toBe(10)
    const kinds = events.filter((e) => e.studyId === studyId).map((e) => e.type)
    expect(kinds).toEqual([
      'fold-started',
      'fold-finished',
      'fold-started',
      'fold-finished',
      'fold-started',
      'fold-finished',
      'status'
    ])
  }, 300_000)

  it('ranks label issues from the study and names a missing study clearly', async () => {
    const report = await api.evidence.labelIssues({ datasetId })
    expect(report.studyId).toBe(studyId)
    expect(report.examined).toBe(24)
    for (const it of report.items) {
      expect(it.path).toMatch(/img\d+\.png$/)
      expect(it.given).not.toBe(it.suggested)
    }
    const other = await api.datasets.create({ name: 'empty' })
    await expect(api.evidence.labelIssues({ datasetId: other.id })).rejects.toThrow(
      /no completed cross-validation study/
    )
  })

  it('colours the map by held-out predictions: a fold run’s test split and the study’s out-of-fold', async () => {
    const detail = await api.evidence.getStudy({ studyId })
    const runId = detail.runIds[0]!
    const run = await api.training.getRun({ runId })
    const byRun = await api.evidence.getMapPredictions({ datasetId, runId })
    expect(byRun.split).toBe('test')
    expect(byRun.source).toEqual({ kind: 'run', id: runId, name: run.name })
    expect(byRun.itemIds).toEqual(run.evaluation!.predictions!.itemIds)
    expect(byRun.description).toMatch(
      new RegExp(`^run ${runId} ".*": its test split, held out from training \\(\\d+ items\\)$`)
    )
    // Correctness from predicted vs the frozen labels is the run's own test accuracy.
    const right = byRun.predicted.filter((p, i) => p === byRun.labels[i]).length
    expect(right / byRun.itemIds.length).toBeCloseTo(run.evaluation!.accuracy, 12)

    const oof = await api.evidence.getMapPredictions({ datasetId, studyId })
    expect(oof.split).toBe('out-of-fold')
    expect(oof.itemIds).toHaveLength(24)
    expect(oof.description).toMatch(
      /out-of-fold, each item predicted by the fold model that did not train on it \(24 items\)/
    )
    // The first fold's items are predicted out of fold by that fold's run: the same classes.
    const oofOf = new Map(oof.itemIds.map((id, i) => [id, oof.predicted[i]]))
    byRun.itemIds.forEach((id, i) => expect(oofOf.get(id)).toBe(byRun.predicted[i]))
    for (const c of oof.confidence) expect(c).toBeGreaterThanOrEqual(0.5)

    await expect(api.evidence.getMapPredictions({ datasetId, runId, studyId })).rejects.toThrow(
      /exactly one of runId and studyId/
    )
    const other = await api.datasets.create({ name: 'elsewhere' })
    await expect(api.evidence.getMapPredictions({ datasetId: other.id, runId })).rejects.toThrow(
      /run \d+ trained on another dataset \("toy"\)/
    )
  })

  it('evaluates a run on an external folder: the same as classify plus the metrics by hand', async () => {
    const runId = (await api.evidence.getStudy({ studyId })).runIds[0]!
    const ext = path.join(dir, 'external')
    await writeSeparableDataset(ext, 5)
    fs.mkdirSync(path.join(ext, 'unknown-class'))
    fs.copyFileSync(path.join(ext, 'c0', 'img0.png'), path.join(ext, 'unknown-class', 'x.png'))
    const run = await api.training.getRun({ runId })
    const result = await api.evidence.evaluateExternal({ runId, folder: ext, name: 'site B' })
    expect(result.name).toBe('site B')
    expect(result.skipped.unknownClasses).toEqual(['unknown-class'])
    expect(result.skipped.missingClasses).toEqual([])
    const e = result.evaluation
    expect(e.n).toBe(10)

    // By hand: classify the two class folders, then compute the metrics from the probabilities.
    const job = await api.inference.startJob({ runId, folder: ext, saliency: false, acceptFlaggedModel: true })
    await new Promise<void>((resolve) => {
      const off = api.inference.onJobEvent((ev) => {
        if (ev.jobId === job.id && ev.type === 'status' && ev.status !== 'running') {
          off()
          resolve()
        }
      })
    })
    const rows = (await api.inference.getJob({ jobId: job.id })).predictions.filter(
      (p) => !p.path.includes('unknown-class')
    )
    const labels = rows.map((p) => run.classNames.indexOf(path.basename(path.dirname(p.path))))
    const byHand = evaluatePredictions(
      rows.flatMap((p) => p.probabilities),
      labels,
      2
    )
    expect(e.accuracy).toBeCloseTo(byHand.accuracy, 6)
    expect(e.macroF1).toBeCloseTo(byHand.macro.f1, 6)
    expect(e.confusion).toEqual(byHand.confusion)
    expect(e.intervals!.accuracy.estimate).toBeCloseTo(byHand.accuracy, 6)
    expect((await api.evidence.listExternalEvaluations({ runId })).map((x) => x.id)).toEqual([result.id])
    // The report shows it beside the internal evaluation, with its intervals.
    const report = await api.training.exportReport({ runId })
    expect(report.html).toContain('<h2>External validation</h2>')
    expect(report.html).toContain('site B')
    expect(report.html).toContain(`${e.accuracy.toFixed(3)} [${e.intervals!.accuracy.lower.toFixed(3)}–`)
    expect(report.html).toContain('unknown-class')

    // With test-time augmentation: stored and shown as such, measured on the same images.
    const tta = await api.evidence.evaluateExternal({ runId, folder: ext, name: 'site B, TTA', tta: true })
    expect(result.tta).toBe(false)
    expect(tta.tta).toBe(true)
    expect(tta.evaluation.n).toBe(10)
    expect((await api.evidence.listExternalEvaluations({ runId })).map((x) => [x.id, x.tta])).toEqual([
      [result.id, false],
      [tta.id, true]
    ])
    expect((await api.training.exportReport({ runId })).html).toContain('site B, TTA (test-time augmentation)')

    fs.mkdirSync(path.join(dir, 'nothing', 'tumour'), { recursive: true })
    await expect(api.evidence.evaluateExternal({ runId, folder: path.join(dir, 'nothing') })).rejects.toThrow(
      /no subfolder is named after a class of the model \(classes: c0, c1; subfolders: tumour\)/
    )
  }, 200_000)

  it("repeats the version's own split with N seeds: mean ± SD across seeds", async () => {
    await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
    const study = await api.evidence.startSeedStudy({ datasetId, repeats: 2, seed: 7, config: QUICK_RUN_CONFIG })
    expect(study.kind).toBe('seeds')
    await studyEnd(study.id)
    const detail = await api.evidence.getStudy({ studyId: study.id })
    expect(detail.error).toBeNull()
    expect(detail.status).toBe('completed')
    expect(detail.items).toBe(0)
    const runs = await Promise.all(detail.runIds.map((runId) => api.training.getRun({ runId: runId! })))
    expect(runs.map((r) => r.config.seed)).toEqual([7, 8])
    const testItems = (await api.datasets.listItems({ datasetId, limit: 100 })).items.filter((i) => i.split === 'test')
    for (const r of runs) {
      expect(r.versionId).toBe(detail.versionId)
      // The version's own test split, not a fold.
      expect(new Set(r.evaluation!.predictions!.itemIds)).toEqual(new Set(testItems.map((i) => i.id)))
    }
    const m = detail.metrics!
    expect(m.pooled).toBeNull()
    expect(m.perFold.map((f) => f.runId)).toEqual(detail.runIds)
    expect(m.accuracy.mean).toBeCloseTo((runs[0].evaluation!.accuracy + runs[1].evaluation!.accuracy) / 2, 12)
    expect(m.accuracy.n).toBe(2)
  }, 200_000)
})

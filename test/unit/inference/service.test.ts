import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, InferenceEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { tempDir, treeFingerprint, writePatientFolder, writeUntrainedModel, type PatientFolder } from './fixtures'

const ROOT = path.resolve(__dirname, '../../..')
const run = promisify(execFile)

const tmp = tempDir('service')
const ws = path.join(tmp.dir, 'ws')
let core: Core
let api: Api
let modelDir = ''
let patient: PatientFolder
let before: Record<string, string> = {}
const events: InferenceEvent[] = []

function finished(jobId: number): Promise<InferenceEvent & { type: 'status' }> {
  return new Promise((resolve) => {
    const check = () => {
      const e = events.find((x) => x.jobId === jobId && x.type === 'status' && x.status !== 'running')
      if (e) resolve(e as InferenceEvent & { type: 'status' })
      else setTimeout(check, 25)
    }
    check()
  })
}

beforeAll(async () => {
  modelDir = await writeUntrainedModel(path.join(tmp.dir, 'untrained-model'))
  patient = await writePatientFolder(path.join(tmp.dir, 'Doe_Jane'), 48)
  before = treeFingerprint(patient.root)
  core = createCore(ws, 'cli', builtEngine())
  api = directApi(core)
  api.inference.onJobEvent((e) => events.push(e))
}, 60_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

describe('inference service with a real engine process', () => {
  let jobId = 0

  it('runs a job, stores every result and failure, and reopens it from the catalog', async () => {
    const job = await api.inference.startJob({ modelDir, folder: patient.root, lowConfidenceThreshold: 0.5 })
    jobId = job.id
    expect(job).toMatchObject({ status: 'running', folder: patient.root, name: 'Doe_Jane · untrained-model' })
    expect(job.model.classNames).toEqual(['alpha', 'beta', 'gamma'])
    const end = await finished(job.id)
    expect(end.status).toBe('completed')
    const progress = events.filter((e) => e.jobId === job.id && e.type === 'progress')
    expect(progress.at(-1)).toMatchObject({
      done: patient.truth.size + patient.bad.size,
      total: patient.truth.size + patient.bad.size
    })

    core.close()
    core = createCore(ws, 'cli', builtEngine())
    api = directApi(core)
    api.inference.onJobEvent((e) => events.push(e))
    const [listed] = await api.inference.listJobs({})
    expect(listed).toMatchObject({
      id: job.id,
      status: 'completed',
      classified: patient.truth.size,
      failed: patient.bad.size,
      total: patient.truth.size + 2
    })
    expect(listed.engine).toMatch(/^onnxruntime \d+\.\d+\.\d+ \(cpu, \d+ threads?\)$/)
    const d = await api.inference.getJob({ jobId: job.id })
    expect(d.predictions.map((p) => `${p.path}#${p.frame}`).sort()).toEqual([...patient.truth.keys()].sort())
    expect(d.failures.map((f) => f.path).sort()).toEqual([...patient.bad.keys()].sort())
    for (const p of d.predictions) {
      expect(p.top).toHaveLength(3)
      expect(p.top[0]).toEqual({ className: p.predicted, probability: p.confidence })
      expect(p.top[0].probability).toBeGreaterThanOrEqual(p.top[1].probability)
      expect(p.lowConfidence).toBe(p.confidence < 0.5)
    }
    expect(Object.values(d.counts).reduce((a, b) => a + b, 0)).toBe(patient.truth.size)
    expect(d.series.map((s) => s.key).sort()).toEqual(patient.series.map((s) => s.key).sort())
    expect(d.patients).toHaveLength(3)
    // Re-flagging with another threshold needs no re-run.
    const strict = await api.inference.getJob({ jobId: job.id, lowConfidenceThreshold: 1 })
    expect(strict.predictions.every((p) => p.lowConfidence)).toBe(true)
    expect(treeFingerprint(patient.root)).toEqual(before)
  }, 90_000)

  it('serves Grad-CAM maps for the predicted class or any class, on the image geometry', async () => {
    const d = await api.inference.getJob({ jobId })
    const p = d.predictions.find((x) => x.kind === 'dicom')!
    const map = await api.inference.getSaliency({ resultId: p.id })
    expect(map).toMatchObject({
      classIndex: p.predictedIndex,
      className: p.predicted,
      width: 48,
      height: 48,
      gridWidth: 1,
      gridHeight: 1
    })
    // Only the grid crosses the process boundary; the viewer upsamples it.
    expect(map.grid).toBeInstanceOf(Float32Array)
    expect(map.grid).toHaveLength(1)
    expect(map).not.toHaveProperty('heatmap')
    const other = await api.inference.getSaliency({ resultId: p.id, classIndex: 2 })
    expect(other.className).toBe('gamma')
    expect(other.probability).toBeCloseTo(p.probabilities[2], 6)
    await expect(api.inference.getSaliency({ resultId: p.id, classIndex: 3 })).rejects.toThrow(
      /class 3 does not exist: the model has 3 classes/
    )
    await expect(api.inference.getSaliency({ resultId: 999999 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('exports CSV and JSON, with or without patient identifiers', async () => {
    const csv = await api.inference.exportJob({ jobId, format: 'csv' })
    expect(fs.readFileSync(csv.path, 'utf8')).toBe(csv.content)
    expect(path.dirname(csv.path)).toBe(path.join(ws, 'exports'))
    const lines = csv.content.trimEnd().split('\r\n')
    expect(lines[0]).toBe(
      'path,frame,patient_id,study_uid,series_uid,slice_index,slice_position,predicted,confidence,p_alpha,p_beta,p_gamma'
    )
    expect(lines).toHaveLength(patient.truth.size + 1)
    const cine = lines.filter((l) => l.includes('cine.dcm'))
    expect(cine.map((l) => l.split(',')[1])).toEqual(['0', '1', '2'])
    expect(cine[0].split(',')[2]).toBe('P-002')
    expect(csv.content).toContain(patient.root)

    const anon = await api.inference.exportJob({ jobId, format: 'csv', deidentify: true })
    expect(anon.fileName).toBe(`classification-${jobId}-deidentified.csv`)
    expect(anon.content).not.toMatch(/P-00[12]|Doe|Roe|Jane|19700101|20240115/)
    expect(anon.content).not.toContain(tmp.dir)
    // Pseudonyms replace the patient ID and the UIDs; the frame of a multi-frame file is kept.
    expect(anon.content).not.toMatch(/1\.2\.826/)
    expect(
      anon.content.split('\r\n').filter((l) => /^file-\d+,1,patient-\d+,study-\d+,series-\d+,/.test(l))
    ).toHaveLength(1)

    const json = JSON.parse((await api.inference.exportJob({ jobId, format: 'json', deidentify: true })).content)
    expect(json).toMatchObject({
      format: 'neuropath-classification',
      deidentified: true,
      classNames: ['alpha', 'beta', 'gamma']
    })
    expect(json.job.folder).toBe('.')
    expect(JSON.stringify(json)).not.toMatch(/P-00[12]|Doe|Roe|Jane|19700101|20240115/)
    expect(json.patients.map((p: { key: string }) => p.key).sort()).toEqual(['patient-1', 'patient-2', 'patient-3'])
    expect(json.failures.map((f: { path: string }) => f.path)).toHaveLength(4)
    expect(json.failures.every((f: { path: string }) => /^file-\d+$/.test(f.path))).toBe(true)
    const full = JSON.parse((await api.inference.exportJob({ jobId, format: 'json' })).content)
    expect(full.predictions.find((p: { patientId: string }) => p.patientId === 'P-001').patientName).toBe('Doe^Jane')
  })

  it('refuses bad requests with a message naming the thing', async () => {
    await expect(
      api.inference.startJob({ modelDir: path.join(tmp.dir, 'nope'), folder: patient.root })
    ).rejects.toThrow(/nope is not a NeuroPath model folder/)
    await expect(api.inference.startJob({ modelDir, folder: path.join(tmp.dir, 'missing') })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    await expect(
      api.inference.startJob({ modelDir, folder: path.join(patient.root, 'png', 'slice1.png') })
    ).rejects.toThrow(/is not a folder/)
    await expect(api.inference.startJob({ modelDir, runId: 1, folder: patient.root })).rejects.toThrow(
      /either runId or modelDir/
    )
    await expect(api.inference.startJob({ runId: 42, folder: patient.root })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    await expect(api.inference.cancelJob({ jobId })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('cancels a running job, keeping what it classified, and deletes jobs', async () => {
    const job = await api.inference.startJob({ modelDir, folder: patient.root, name: 'to cancel' })
    await api.inference.cancelJob({ jobId: job.id })
    expect((await finished(job.id)).status).toBe('cancelled')
    const d = await api.inference.getJob({ jobId: job.id })
    expect(d.status).toBe('cancelled')
    expect(d.predictions.length).toBeLessThan(patient.truth.size)
    await api.inference.deleteJob({ jobId: job.id })
    expect((await api.inference.listJobs({})).map((j) => j.id)).toEqual([jobId])
    await expect(api.inference.getJob({ jobId: job.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  }, 60_000)
})

describe('neuropath classify', () => {
  it('writes one CSV row per image or frame and prints the summary, de-identified', async () => {
    const out = path.join(tmp.dir, 'results', 'out.csv')
    const cliWs = path.join(tmp.dir, 'cli-ws')
    const { stdout } = await run(
      process.execPath,
      [
        path.join(ROOT, 'bin/neuropath.mjs'),
        'classify',
        patient.root,
        '--model',
        modelDir,
        '--out',
        out,
        '--json',
        '--deidentify',
        '--workspace',
        cliWs
      ],
      { timeout: 90_000 }
    )
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(summary).toMatchObject({
      status: 'completed',
      classified: patient.truth.size,
      failed: patient.bad.size,
      out
    })
    expect(Object.keys(summary.counts)).toEqual(['alpha', 'beta', 'gamma'])
    expect(summary.series).toHaveLength(4)
    expect(summary.series[0]).toHaveProperty('agreement')
    expect(summary.failures).toHaveLength(patient.bad.size)
    const csv = fs.readFileSync(out, 'utf8').trimEnd().split('\r\n')
    expect(csv[0]).toBe(
      'path,frame,patient_id,study_uid,series_uid,slice_index,slice_position,predicted,confidence,p_alpha,p_beta,p_gamma'
    )
    expect(csv).toHaveLength(patient.truth.size + 1)
    // De-identified: a pseudonym on every row (the JSON export uses the same), never the original ID.
    expect(csv.slice(1).every((l) => /^patient-\d+$/.test(l.split(',')[2]))).toBe(true)
    expect(treeFingerprint(patient.root)).toEqual(before)
  }, 120_000)

  it('refuses an output inside the folder it classifies, and a missing model flag', async () => {
    const err = await run(process.execPath, [
      path.join(ROOT, 'bin/neuropath.mjs'),
      'classify',
      patient.root,
      '--model',
      modelDir,
      '--out',
      path.join(patient.root, 'x.csv')
    ]).catch((e: { code: number; stderr: string }) => e)
    expect(err).toMatchObject({ code: 1 })
    expect((err as { stderr: string }).stderr).toMatch(/lies inside .*Doe_Jane, which classification never modifies/)
    const err2 = await run(process.execPath, [
      path.join(ROOT, 'bin/neuropath.mjs'),
      'classify',
      patient.root,
      '--out',
      path.join(tmp.dir, 'y.csv')
    ]).catch((e: { stderr: string }) => e)
    expect((err2 as { stderr: string }).stderr).toMatch(/give exactly one of --run ID or --model DIR/)
    expect(treeFingerprint(patient.root)).toEqual(before)
  })
})

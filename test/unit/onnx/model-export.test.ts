import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { onnx } from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { selectBackend } from '../../../src/main/compute/backend'
import type { ClassifiedRow } from '../../../src/main/inference/job'
import { classifyFolder } from '../../../src/main/inference/run/classify-folder'
import { ONNX_MODEL_FILE, writeModelOnnx } from '../../../src/main/onnx/model-onnx-file'
import { createOrtSession, loadOrt } from '../../../src/main/onnx/ort-runtime'
import { createCore, type Core } from '../../../src/main/services'
import { loadModelArtifact, readModelCard, saveModelArtifact } from '../../../src/main/training/job/model-artifact'
import { loadModelInput } from '../../../src/main/training/preprocess/load-model-input'
import { randomizeBatchNorm } from '../../helpers/batch-norm-stats'
import { builtEngine } from '../../helpers/engine'
import { importDataset, QUICK_RUN_CONFIG } from '../../helpers/import-dataset'
import { tempDir, writePatientFolder, writeUntrainedModel } from '../inference/fixtures'
import { writeSeparableDataset } from '../run/fixtures'

const tmp = tempDir('onnx-export')
const CLI = path.resolve(__dirname, '../../../bin/neuropath.mjs')

/** Runs model.onnx with onnxruntime-node on each classified row's own file, preprocessed as the card says. */
async function onnxProbabilities(modelDir: string, file: string, rows: ClassifiedRow[]): Promise<Float32Array[]> {
  const card = readModelCard(modelDir)
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const session = await createOrtSession(fs.readFileSync(file))
  const s = card.preprocessing.inputSize
  const out: Float32Array[] = []
  for (const r of rows) {
    const x = await loadModelInput(r.path, card.preprocessing, r.frame)
    const res = await session.run({ image: new status.ort.Tensor('float32', x, [1, s, s, 3]) })
    out.push(res.probabilities.data as Float32Array)
  }
  await session.release()
  return out
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0
  a.forEach((row, i) => row.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[i][k])))))
  return m
}

const argmax = (p: Float32Array): number => p.indexOf(Math.max(...p))

/**
 * Classifies `folder` with the classify service's engine code, runs `onnxFile` on the same files, and checks
 * that both give the same probabilities and classes. Returns the classify rows.
 */
async function expectSamePredictions(modelDir: string, onnxFile: string, folder: string): Promise<ClassifiedRow[]> {
  const rows: ClassifiedRow[] = []
  await classifyFolder({ modelDir, folder, saliency: false }, (e) => {
    if (e.type === 'results') rows.push(...e.rows)
  })
  const viaOnnx = await onnxProbabilities(modelDir, onnxFile, rows)
  expect(
    maxDiff(
      viaOnnx,
      rows.map((r) => r.probabilities)
    )
  ).toBeLessThan(1e-4)
  expect(viaOnnx.map(argmax)).toEqual(rows.map((r) => argmax(r.probabilities)))
  return rows
}

beforeAll(async () => {
  await selectBackend()
}, 60_000)
afterAll(() => tmp.cleanup())

describe('model.onnx export', () => {
  it('gives the classify path’s probabilities on real images, with changed backbone and head weights', async () => {
    const modelDir = await writeUntrainedModel(path.join(tmp.dir, 'model'), 64, ['alpha', 'beta', 'gamma'], 'nsfwjs')
    // As after fine-tuning and head training: change a top backbone conv and the head's BN statistics.
    const { model, card } = await loadModelArtifact(modelDir)
    const kernel = model.getLayer('block_16_project')
    const scaled = tf.tidy(() => [
      tf.mul(kernel.getWeights()[0], tf.randomUniform(kernel.getWeights()[0].shape, 0.8, 1.2, 'float32', 4))
    ])
    kernel.setWeights(scaled)
    randomizeBatchNorm(model, ['bn1', 'bn2'])
    tf.dispose(scaled)
    await saveModelArtifact(model, modelDir, card)
    const info = writeModelOnnx(modelDir, model, card)
    model.dispose()

    const saved = readModelCard(modelDir)
    expect(saved.onnx).toEqual(info)
    expect(info.input).toEqual({ name: 'image', layout: 'NHWC', dtype: 'float32', shape: ['batch', 64, 64, 3] })
    expect(info.output.classNames).toEqual(['alpha', 'beta', 'gamma'])
    expect(info.preprocessing).toMatch(/Window Center \(0028,1050\)/)
    expect(info.preprocessing).toMatch(/64 × 64/)
    const bytes = fs.readFileSync(path.join(modelDir, ONNX_MODEL_FILE))
    expect(bytes.byteLength).toBe(info.bytes)
    const meta = Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]))
    expect(JSON.parse(meta['neuropath.class_names'])).toEqual(['alpha', 'beta', 'gamma'])
    expect(meta['neuropath.preprocessing']).toBe(info.preprocessing)
    expect(JSON.parse(meta['neuropath.preprocessing_spec'])).toEqual(card.preprocessing)

    const patient = await writePatientFolder(path.join(tmp.dir, 'patient'))
    const rows = await expectSamePredictions(modelDir, path.join(modelDir, ONNX_MODEL_FILE), patient.root)
    expect(rows.length).toBe(patient.truth.size)
    // The changed weights matter: the predictions are not all one class with equal scores.
    expect(new Set(rows.map((r) => r.probabilities[0].toFixed(3))).size).toBeGreaterThan(3)
  })
})

describe('neuropath export-model', () => {
  let dir = ''
  let core: Core | null = null
  let api: Api
  let datasetId = 0
  const events: RunEvent[] = []

  beforeAll(async () => {
    dir = path.join(tmp.dir, 'svc')
    await writeSeparableDataset(path.join(dir, 'data'), 8)
    core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
    api = directApi(core)
    api.training.onRunEvent((e) => events.push(e))
    datasetId = (await importDataset(api, 'toy', path.join(dir, 'data'))).id
  }, 120_000)
  afterAll(() => {
    core?.close()
    core = null
  })

  it('every completed run writes model.onnx; the CLI exports it and the tfjs folder, never overwriting', async () => {
    await api.datasets.split({ datasetId, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
    const run = await api.training.startRun({
      datasetId,
      name: 'export',
      config: QUICK_RUN_CONFIG
    })
    await expect
      .poll(() => events.some((e) => e.runId === run.id && e.type === 'status' && e.status !== 'running'), {
        timeout: 120_000
      })
      .toBe(true)
    const detail = await api.training.getRun({ runId: run.id })
    expect(detail.status, `${detail.error}\n${detail.log.slice(-5).join('\n')}`).toBe('completed')
    const modelDir = detail.modelDir!
    expect(fs.existsSync(path.join(modelDir, ONNX_MODEL_FILE)), detail.log.join('\n')).toBe(true)
    expect(readModelCard(modelDir).onnx?.output.name).toBe('probabilities')
    expect(detail.log.some((l) => l.includes('ONNX model written: '))).toBe(true)
    core?.close()
    core = null

    const ws = path.join(dir, 'ws')
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args, '--workspace', ws], { encoding: 'utf8' })
    const out = path.join(dir, 'exported', 'run.onnx')
    const res = cli('export-model', '--run', String(run.id), '--format', 'onnx', '--out', out, '--json')
    expect(res.status, res.stderr).toBe(0)
    const json = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { path: string; format: string; bytes: number }
    expect(json).toMatchObject({ path: out, format: 'onnx', bytes: fs.statSync(out).size })
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(modelDir, ONNX_MODEL_FILE)))).toBe(true)
    const again = cli('export-model', '--run', String(run.id), '--out', out)
    expect(again.status).toBe(2) // an AppError (CONFLICT), not a usage error
    expect(again.stderr).toMatch(/already exists/)
    const tfjsOut = path.join(dir, 'exported', 'tfjs')
    expect(cli('export-model', '--run', String(run.id), '--format', 'tfjs', '--out', tfjsOut).status).toBe(0)
    expect(fs.readdirSync(tfjsOut).sort()).toEqual(['model.json', 'neuropath.json', 'weights.bin'])
    expect(cli('export-model', '--run', '999', '--out', path.join(dir, 'x.onnx')).stderr).toMatch(/run 999/)

    // The exported file predicts what the classify service predicts, on the dataset's images.
    expect(await expectSamePredictions(modelDir, out, path.join(dir, 'data'))).toHaveLength(16)
  }, 240_000)

  it('builds model.onnx in an engine for a run saved without one', () => {
    // Covered through exportRunModel when model.onnx is missing: remove it and export again.
    const ws = path.join(dir, 'ws')
    const runs = JSON.parse(
      execFileSync(process.execPath, [CLI, 'runs', '--json', '--workspace', ws], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1)!
    ) as Array<{ id: number }>
    const id = runs[0].id
    const modelDir = path.join(ws, 'models', `run-${id}`, 'model')
    fs.rmSync(path.join(modelDir, ONNX_MODEL_FILE))
    const out = path.join(dir, 'exported', 'rebuilt.onnx')
    const res = spawnSync(
      process.execPath,
      [CLI, 'export-model', '--run', String(id), '--out', out, '--workspace', ws],
      {
        encoding: 'utf8'
      }
    )
    expect(res.status, res.stderr).toBe(0)
    expect(res.stdout).toMatch(/Preprocessing:/)
    expect(fs.existsSync(path.join(modelDir, ONNX_MODEL_FILE))).toBe(true)
    expect(fs.statSync(out).size).toBe(fs.statSync(path.join(modelDir, ONNX_MODEL_FILE)).size)
  }, 120_000)
})

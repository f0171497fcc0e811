import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOrtHeadTarget } from '../../../src/main/training/graph/ort-head-target'
import { buildHead } from '../../../src/main/training/head/build-head'
import { createEmbeddingSource } from '../../../src/main/training/loop/embedding-source'
import { predictSource } from '../../../src/main/training/loop/evaluate-source'
import { recipeCallbacks } from '../../../src/main/training/loop/recipe'
import type { ResumePoint } from '../../../src/main/training/loop/resume'
import { headTarget } from '../../../src/main/training/loop/target'
import { trainStage, type TrainStageOptions } from '../../../src/main/training/loop/train-stage'
import { exportWeights, importWeights, type NamedWeights } from '../../../src/main/training/loop/weights'
import { clusters, maxAbsDiff, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const DIM = 16
const K = 3
const HEAD = { numClasses: K, fc1Units: 32, fc2Units: 16, seed: 1 }

const source = (n: number, seed: number, shuffle = true) => {
  const { rows, labels } = clusters(n, DIM, K, seed)
  return createEmbeddingSource(rows, DIM, labels, K, { batchSize: 32, shuffle })
}

async function trainOrt(head: tf.LayersModel, opts: Partial<TrainStageOptions> = {}) {
  return trainWith(await createOrtHeadTarget(head), opts)
}

function trainWith(target: Parameters<typeof trainStage>[0], opts: Partial<TrainStageOptions>) {
  return trainStage(target, {
    name: 'stage1',
    train: source(192, 1),
    validation: source(96, 2, false),
    epochs: 8,
    learningRate: 1e-3,
    seed: 42,
    ...opts
  })
}

const bitEqual = (a: NamedWeights, b: NamedWeights) =>
  a.length === b.length && a.every((w, i) => w.name === b[i].name && w.values.every((v, j) => v === b[i].values[j]))

describe('the ONNX Runtime head trainer under trainStage', () => {
  it('learns, and leaves its weights in the tfjs head, which then predicts what ORT predicted', async () => {
    const head = buildHead(HEAD, DIM)
    const before = exportWeights(head.weights).map((w) => Float32Array.from(w.values))
    const r = await trainOrt(head)
    expect(r.history.at(-1)!.valAccuracy!).toBeGreaterThan(0.9)
    // Every weight moved (kernels, biases, γ, β, and the moving statistics).
    exportWeights(head.weights).forEach((w, i) => expect(maxAbsDiff(w.values, before[i]), w.name).toBeGreaterThan(1e-4))
    const probe = source(60, 3, false)
    const viaTfjs = await predictSource(headTarget(head), probe)
    const ort = await createOrtHeadTarget(head)
    ort.begin(1e-3)
    const viaOrt = await ort.predict(probe)
    await ort.end()
    expect(maxAbsDiff(viaOrt, viaTfjs.probs)).toBeLessThan(1e-5)
    head.dispose()
  })

  it('is reproducible and resumes bit-exactly from a resume point (weights, Adam state, callbacks)', async () => {
    const points: ResumePoint[] = []
    const full = buildHead(HEAD, DIM)
    const a = await trainOrt(full, { callbacks: recipeCallbacks(), onResumePoint: (p) => void points.push(p) })
    expect(points).toHaveLength(8)
    const again = buildHead(HEAD, DIM)
    const b = await trainOrt(again, { callbacks: recipeCallbacks() })
    expect(b.history.map((e) => e.loss)).toEqual(a.history.map((e) => e.loss))
    // Through JSON, as the resume store writes it.
    const stored = JSON.parse(JSON.stringify(points[3], (_, v) => (v instanceof Float32Array ? Array.from(v) : v)))
    const restored: ResumePoint = {
      ...stored,
      weights: points[3].weights,
      optimizer: points[3].optimizer,
      callbackWeights: points[3].callbackWeights
    }
    const resumed = buildHead({ ...HEAD, seed: 99 }, DIM)
    const c = await trainOrt(resumed, { callbacks: recipeCallbacks(), resume: restored })
    expect(c.history.map((e) => e.loss)).toEqual(a.history.map((e) => e.loss))
    expect(bitEqual(exportWeights(resumed.weights), exportWeights(full.weights))).toBe(true)
    // The tfjs trainer takes the same resume point (same weight names and Adam state layout).
    const onTfjs = buildHead({ ...HEAD, seed: 7 }, DIM)
    const d = await trainWith(headTarget(onTfjs), { callbacks: recipeCallbacks(), resume: restored })
    expect(d.history).toHaveLength(8)
    expect(d.history[7].valAccuracy!).toBeGreaterThan(0.9)
    tf.dispose([full, again, resumed, onTfjs].map((h) => h.weights.map((w) => w.read())))
  })

  it('checkpoints weights that reload into a fresh tfjs head', async () => {
    const saved: { epoch: number; weights: NamedWeights }[] = []
    const head = buildHead(HEAD, DIM)
    await trainOrt(head, { callbacks: recipeCallbacks((epoch, weights) => void saved.push({ epoch, weights })) })
    expect(saved.length).toBeGreaterThan(0)
    const fresh = buildHead({ ...HEAD, seed: 5 }, DIM)
    importWeights(fresh.weights, saved.at(-1)!.weights, 'checkpoint')
    const p = await predictSource(headTarget(fresh), source(96, 2, false))
    let correct = 0
    for (let r = 0; r < p.labels.length; r++) {
      const row = p.probs.subarray(r * K, r * K + K)
      if (row.indexOf(Math.max(...row)) === p.labels[r]) correct++
    }
    expect(correct / p.labels.length).toBeGreaterThan(0.9)
    head.dispose()
    fresh.dispose()
  })

  it('cancels between batches with CANCELLED and still writes the weights it reached into the head', async () => {
    const head = buildHead(HEAD, DIM)
    const before = exportWeights(head.weights).map((w) => Float32Array.from(w.values))
    const ctl = new AbortController()
    const run = trainOrt(head, {
      signal: ctl.signal,
      onBatch: (e) => {
        if (e.epoch === 1 && e.batch === 2) ctl.abort()
      }
    })
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringMatching(/epoch 2, batch 4/) })
    expect(maxAbsDiff(exportWeights(head.weights)[1].values, before[1])).toBeGreaterThan(1e-4)
    head.dispose()
  })
})

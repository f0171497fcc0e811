import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead } from '../../../src/main/training/head/build-head'
import type { HeadConfig } from '../../../src/main/training/head/config'
import { EarlyStopping } from '../../../src/main/training/loop/early-stopping'
import { createEmbeddingSource } from '../../../src/main/training/loop/embedding-source'
import { predictSource } from '../../../src/main/training/loop/evaluate-source'
import { ModelCheckpoint } from '../../../src/main/training/loop/model-checkpoint'
import { ReduceLROnPlateau } from '../../../src/main/training/loop/reduce-lr-on-plateau'
import type { ResumePoint } from '../../../src/main/training/loop/resume'
import { headTarget } from '../../../src/main/training/loop/target'
import { trainStage, type TrainStageOptions } from '../../../src/main/training/loop/train-stage'
import { importWeights, type NamedWeights } from '../../../src/main/training/loop/weights'
import { accuracy } from '../../../src/main/training/metrics/predictions'
import { clusters, maxAbsDiff, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const DIM = 16
const K = 3
const HEAD: HeadConfig = { numClasses: K, fc1Units: 32, fc2Units: 16, seed: 1 }

function split(n: number, seed: number, separation?: number) {
  const { rows, labels } = clusters(n, DIM, K, seed, separation)
  return createEmbeddingSource(rows, DIM, labels, K, { batchSize: 32 })
}

function evalSplit(n: number, seed: number, separation?: number) {
  const { rows, labels } = clusters(n, DIM, K, seed, separation)
  return createEmbeddingSource(rows, DIM, labels, K, { batchSize: 32, shuffle: false })
}

/** A validation set whose labels are permuted: the better the model learns, the worse its val_loss. */
function adversarialValidation(n: number, seed: number) {
  const { rows, labels } = clusters(n, DIM, K, seed)
  return createEmbeddingSource(
    rows,
    DIM,
    labels.map((k) => (k + 1) % K),
    K,
    { shuffle: false }
  )
}

async function train(opts: Partial<TrainStageOptions> & { head?: tf.LayersModel } = {}) {
  const head = opts.head ?? buildHead(HEAD, DIM)
  const result = await trainStage(headTarget(head), {
    name: 'stage1',
    train: split(192, 1),
    validation: evalSplit(96, 2),
    epochs: 3,
    learningRate: 1e-3,
    seed: 42,
    ...opts
  })
  return { head, result }
}

describe('trainStage on embeddings', () => {
  it('learns separable data: test accuracy far above chance', async () => {
    const { head, result } = await train({ epochs: 8, learningRate: 3e-3 })
    const test = await predictSource(headTarget(head), evalSplit(150, 3))
    expect(accuracy(test.probs, test.labels, K)).toBeGreaterThan(0.9)
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0].loss)
    expect(result.history.at(-1)!.valAccuracy).toBeGreaterThan(0.9)
    head.dispose()
  })

  it('is reproducible: same seed ⇒ identical per-epoch metrics; another seed differs', async () => {
    const a = await train()
    const b = await train()
    const c = await train({ seed: 43 })
    const losses = (r: typeof a): number[] =>
      r.result.history.flatMap((e) => [e.loss, e.accuracy, e.valLoss!, e.valAccuracy!])
    expect(losses(b)).toEqual(losses(a))
    expect(losses(c)).not.toEqual(losses(a))
    ;[a, b, c].forEach((r) => r.head.dispose())
  })

  it('emits batch and epoch events with throughput and timing', async () => {
    const batches: number[] = []
    const epochs: number[] = []
    const { head, result } = await train({
      epochs: 2,
      onBatch: (e) => {
        batches.push(e.batch)
        expect(e.samplesPerSecond).toBeGreaterThan(0)
        expect(e.batches).toBe(6)
      },
      onEpoch: (l) => {
        epochs.push(l.epoch)
      }
    })
    expect(batches).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5])
    expect(epochs).toEqual([0, 1])
    expect(result.history[0].seconds).toBeGreaterThan(0)
    expect(result.history[0].lr).toBe(1e-3)
    head.dispose()
  })

  it('leaves no tensors behind across fit and predict cycles', async () => {
    const head = buildHead(HEAD, DIM)
    const before = tf.memory().numTensors
    for (let cycle = 0; cycle < 2; cycle++) {
      await train({
        head,
        epochs: 2,
        callbacks: [
          new EarlyStopping({ patience: 1 }),
          new ReduceLROnPlateau({ patience: 1 }),
          new ModelCheckpoint({ saveCheckpoint: () => {} })
        ],
        onResumePoint: () => {}
      })
      await predictSource(headTarget(head), evalSplit(40, 4))
      expect(tf.memory().numTensors).toBe(before)
    }
    head.dispose()
  })

  it('cancels between batches with CANCELLED and frees everything', async () => {
    const head = buildHead(HEAD, DIM)
    const before = tf.memory().numTensors
    const abort = new AbortController()
    const run = train({
      head,
      signal: abort.signal,
      onBatch: (e) => {
        if (e.epoch === 1 && e.batch === 2) abort.abort()
      }
    })
    await expect(run).rejects.toMatchObject({
      code: 'CANCELLED',
      message: expect.stringMatching(/"stage1" cancelled at epoch 2, batch 4/)
    })
    expect(tf.memory().numTensors).toBe(before)
    head.dispose()
  })

  it('weights the loss by class when class weights are given', async () => {
    const plain = await train({ epochs: 1 })
    const weighted = await train({ epochs: 1, classWeights: [2, 2, 2] })
    // Doubling every weight doubles the weighted loss of the first step, so the epoch loss differs.
    expect(weighted.result.history[0].loss).toBeGreaterThan(plain.result.history[0].loss * 1.5)
    expect(weighted.result.history[0].valLoss).not.toBe(plain.result.history[0].valLoss)
    await expect(train({ classWeights: [1, 1] })).rejects.toThrow(/classWeights has 2 entries for 3 classes/)
    plain.head.dispose()
    weighted.head.dispose()
  })
})

describe('callbacks', () => {
  it('early stopping fires after `patience` epochs and restores the best weights', async () => {
    const points: ResumePoint[] = []
    const stopper = new EarlyStopping({ patience: 3 })
    const { head, result } = await train({
      validation: adversarialValidation(60, 5),
      epochs: 20,
      learningRate: 3e-3,
      callbacks: [stopper],
      onResumePoint: (p) => {
        points.push(p)
      }
    })
    const valLosses = result.history.map((e) => e.valLoss!)
    const best = valLosses.indexOf(Math.min(...valLosses))
    expect(result.stopReason).toMatch(/early stopping: val_loss did not improve for 3 epochs/)
    expect(result.history).toHaveLength(best + 4)
    expect(stopper.bestEpoch).toBe(best)
    // The model now holds the weights it had at the end of the best epoch, not the last one.
    const now = head.weights.map((w) => Array.from(w.read().dataSync()))
    points[best].weights.forEach((w, i) => expect(maxAbsDiff(now[i], w.values)).toBe(0))
    expect(maxAbsDiff(now[1], points.at(-1)!.weights[1].values)).toBeGreaterThan(0)
    head.dispose()
  })

  it('reduces the learning rate on a val_loss plateau, down to the floor', async () => {
    const reducer = new ReduceLROnPlateau({ patience: 2, factor: 0.5, minLr: 3e-4 })
    const { head, result } = await train({
      validation: adversarialValidation(60, 5),
      epochs: 9,
      learningRate: 1e-3,
      callbacks: [reducer]
    })
    const lrs = result.history.map((e) => e.lr)
    expect(lrs[0]).toBe(1e-3)
    expect(reducer.reductions.length).toBeGreaterThanOrEqual(2)
    const first = reducer.reductions[0]
    expect(first.lr).toBe(5e-4)
    expect(lrs[first.epoch + 1]).toBe(5e-4)
    expect(Math.min(...lrs)).toBe(3e-4)
    expect(result.state.lr).toBe(3e-4)
    head.dispose()
  })

  it('checkpoints the best val_accuracy weights, which reload to the same predictions', async () => {
    const saved: { epoch: number; weights: NamedWeights; probs: Float32Array }[] = []
    const probe = evalSplit(30, 6)
    const head = buildHead(HEAD, DIM)
    await train({
      head,
      epochs: 5,
      callbacks: [
        new ModelCheckpoint({
          saveCheckpoint: async (epoch, weights) => {
            saved.push({ epoch, weights, probs: (await predictSource(headTarget(head), probe)).probs })
          }
        })
      ]
    })
    expect(saved.length).toBeGreaterThan(0)
    const last = saved.at(-1)!
    // Round-trip through JSON + raw bytes, as a checkpoint file would.
    const restored: NamedWeights = last.weights.map((w) => ({
      ...JSON.parse(JSON.stringify({ name: w.name, shape: w.shape })),
      values: new Float32Array(
        Uint8Array.from(Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength)).buffer
      )
    }))
    const fresh = buildHead({ ...HEAD, seed: 99 }, DIM)
    importWeights(fresh.weights, restored, 'checkpoint')
    const again = await predictSource(headTarget(fresh), probe)
    expect(Array.from(again.probs)).toEqual(Array.from(last.probs))
    head.dispose()
    fresh.dispose()
  })

  it('resumes from a JSON resume point at the right epoch, continuing bit-exactly', async () => {
    const callbacks = () => [new EarlyStopping({ patience: 10 }), new ReduceLROnPlateau({ patience: 1 })]
    const full = await train({ epochs: 5, callbacks: callbacks() })

    const points: ResumePoint[] = []
    const part = await train({ epochs: 2, callbacks: callbacks(), onResumePoint: (p) => void points.push(p) })
    const point = points.at(-1)!
    expect(point.state.epochsCompleted).toBe(2)
    const stateJson = JSON.parse(JSON.stringify(point.state)) as ResumePoint['state']

    const startEpochs: number[] = []
    const fresh = buildHead({ ...HEAD, seed: 7 }, DIM)
    const resumed = await train({
      head: fresh,
      epochs: 5,
      callbacks: callbacks(),
      resume: { ...point, state: stateJson },
      onEpoch: (l) => void startEpochs.push(l.epoch)
    })
    expect(startEpochs).toEqual([2, 3, 4])
    expect(resumed.result.history.map((e) => e.loss)).toEqual(full.result.history.map((e) => e.loss))
    expect(resumed.result.history.map((e) => e.lr)).toEqual(full.result.history.map((e) => e.lr))
    const w = (m: tf.LayersModel): number[] => m.weights.flatMap((v) => Array.from(v.read().dataSync()))
    expect(w(fresh)).toEqual(w(full.head))
    await expect(train({ epochs: 5, seed: 1, resume: point })).rejects.toThrow(/made with seed 42, not 1/)
    ;[full.head, part.head, fresh].forEach((m) => m.dispose())
  })
})

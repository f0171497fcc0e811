import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHead, headLayers } from '../../../src/main/training/head/build-head'
import { compileHeadStep } from '../../../src/main/training/loop/head-backprop'
import { categoricalCrossEntropy } from '../../../src/main/training/loop/loss'
import { headTarget } from '../../../src/main/training/loop/target'
import { clusters, maxAbsDiff, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const DIM = 12
const K = 3

function batch() {
  const { rows, labels } = clusters(10, DIM, K, 8)
  const x = tf.tensor2d(rows, [10, DIM])
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat() as tf.Tensor2D
  const w = tf.tensor1d([1, 2, 0.5, 1, 1, 3, 1, 1, 0.25, 1])
  return { x, y, w }
}

/** Loss, probabilities and gradients from tf.variableGrads over the target's forward pass. */
function viaTape(head: tf.LayersModel, x: tf.Tensor, y: tf.Tensor2D, w: tf.Tensor1D, seed: number) {
  const target = headTarget(head)
  const kept: { probs?: tf.Tensor2D } = {}
  const { value, grads } = tf.variableGrads(() => {
    const p = target.forward(x, true, seed)
    kept.probs = tf.keep(p)
    return categoricalCrossEntropy(p, y, w)
  }, target.trainableVariables())
  return { loss: value, probs: kept.probs!, grads }
}

describe('compileHeadStep', () => {
  it('gives the tape’s loss, probabilities and gradients (dropout masks included)', () => {
    const head = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 2 }, DIM)
    const { x, y, w } = batch()
    const step = compileHeadStep(headLayers(head))!
    expect(step).not.toBeNull()
    const fast = step(x, y, w, 77)
    const tape = viaTape(head, x, y, w, 77)
    expect(fast.loss.dataSync()[0]).toBeCloseTo(tape.loss.dataSync()[0], 5)
    expect(maxAbsDiff(fast.probs.dataSync(), tape.probs.dataSync())).toBeLessThan(1e-5)
    const names = Object.keys(tape.grads)
    expect(Object.keys(fast.grads).sort()).toEqual([...names].sort())
    expect(names).toHaveLength(10)
    for (const name of names) {
      const a = tape.grads[name].dataSync()
      const scale = Math.max(1e-3, ...Array.from(a, Math.abs))
      expect(maxAbsDiff(fast.grads[name].dataSync(), a) / scale).toBeLessThan(1e-4)
    }
    // Another step seed draws other dropout masks.
    const other = step(x, y, w, 78)
    expect(maxAbsDiff(other.probs.dataSync(), fast.probs.dataSync())).toBeGreaterThan(1e-4)
    tf.dispose([x, y, w, fast, tape, other] as unknown as tf.TensorContainer)
    head.dispose()
  })

  it('updates the head BN moving statistics as the layer does in training mode', () => {
    const a = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 2 }, DIM)
    const b = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 2 }, DIM)
    const { x, y, w } = batch()
    tf.dispose(compileHeadStep(headLayers(a))!(x, y, w, 5) as unknown as tf.TensorContainer)
    tf.dispose(viaTape(b, x, y, w, 5) as unknown as tf.TensorContainer)
    for (const layer of ['bn1', 'bn2']) {
      const [, , meanA, varA] = a.getLayer(layer).getWeights()
      const [, , meanB, varB] = b.getLayer(layer).getWeights()
      expect(maxAbsDiff(meanA.dataSync(), meanB.dataSync())).toBeLessThan(1e-5)
      expect(maxAbsDiff(varA.dataSync(), varB.dataSync())).toBeLessThan(1e-5)
      expect(maxAbsDiff(meanA.dataSync(), new Float32Array(meanA.size))).toBeGreaterThan(1e-4)
    }
    tf.dispose([x, y, w])
    a.dispose()
    b.dispose()
  })

  it('skips frozen layers and refuses layer types it cannot differentiate', () => {
    const head = buildHead({ numClasses: K, fc1Units: 16, fc2Units: 8, seed: 2 }, DIM)
    head.getLayer('bn1').trainable = false
    head.getLayer('fc1').trainable = false
    const { x, y, w } = batch()
    const r = compileHeadStep(headLayers(head))!(x, y, w, 1)
    const names = Object.keys(r.grads)
    expect(names).toHaveLength(6)
    expect(names.some((n) => n.startsWith('fc1') || n.startsWith('bn1'))).toBe(false)
    tf.dispose([x, y, w, r] as unknown as tf.TensorContainer)
    expect(compileHeadStep([tf.layers.dense({ units: 3, activation: 'tanh', inputShape: [4] })])).toBeNull()
    head.dispose()
  })
})

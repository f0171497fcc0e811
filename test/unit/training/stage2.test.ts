import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { composeModel, type ComposedModel } from '../../../src/main/training/head/compose-model'
import { predictSource } from '../../../src/main/training/loop/evaluate-source'
import { createLoaderSource } from '../../../src/main/training/loop/loader-source'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { imageTarget } from '../../../src/main/training/loop/target'
import { trainStage } from '../../../src/main/training/loop/train-stage'
import { maxAbsDiff, perturbBatchNormStats, tinyBackbone, useCpuBackend, weightValues } from './fixtures'

beforeAll(useCpuBackend)

const SIZE = 8
const K = 2
const N = 32

/** Images whose class shows as a brighter left or right half, plus noise: `[N, 8, 8, 3]` in [0, 1]. */
function imageSource() {
  const rng = mulberry32(4)
  const pixels = new Float32Array(N * SIZE * SIZE * 3)
  const labels = Int32Array.from({ length: N }, (_, i) => i % K)
  for (let i = 0; i < N; i++)
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++)
        for (let c = 0; c < 3; c++) {
          const bright = x < SIZE / 2 === (labels[i] === 0) ? 0.5 : 0
          pixels[((i * SIZE + y) * SIZE + x) * 3 + c] = bright + 0.5 * rng()
        }
  const per = SIZE * SIZE * 3
  return createLoaderSource({
    labels,
    numClasses: K,
    batchSize: 16,
    load: async (idx) => {
      const out = new Float32Array(idx.length * per)
      idx.forEach((src, r) => out.set(pixels.subarray(src * per, (src + 1) * per), r * per))
      return tf.tensor4d(out, [idx.length, SIZE, SIZE, 3])
    }
  })
}

function composed(): ComposedModel {
  const backbone = tinyBackbone(SIZE)
  perturbBatchNormStats(backbone)
  return composeModel(backbone, { numClasses: K, fc1Units: 8, fc2Units: 4, seed: 3 })
}

const LAYERS = ['c1', 'c1_bn', 'c2', 'c2_bn', 'bn1', 'fc1', 'output']

function snapshot(model: tf.LayersModel): Record<string, Record<string, Float32Array>> {
  return Object.fromEntries(LAYERS.map((name) => [name, weightValues(model, name)]))
}

/** Names of the weights ('c2/kernel') that changed between two snapshots. */
function changed(a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): string[] {
  return LAYERS.flatMap((layer) => Object.keys(a[layer]).filter((w) => maxAbsDiff(a[layer][w], b[layer][w]) > 0))
}

async function fit(c: ComposedModel, trainableTopLayers: number, trainBatchNorm = false) {
  const target = imageTarget(c, { trainableTopLayers, trainBatchNorm })
  return trainStage(target, {
    name: 'stage2',
    train: imageSource(),
    validation: imageSource(),
    epochs: 2,
    learningRate: 1e-2,
    seed: 5,
    augment: { rotationDeg: 10, widthShift: 0.1, heightShift: 0.1, zoom: 0.1, horizontalFlip: false }
  })
}

describe('stage 2 fine-tuning on the cpu backend', () => {
  it('updates only the unfrozen top layers and keeps base BN statistics', async () => {
    const c = composed()
    const before = snapshot(c.model)
    const tensors = tf.memory().numTensors
    await fit(c, 3)
    expect(tf.memory().numTensors).toBe(tensors)
    expect(changed(before, snapshot(c.model)).sort()).toEqual(
      [
        'c2/kernel',
        // Head BN runs in training mode, so its statistics move; base BN layers never do.
        'bn1/gamma',
        'bn1/beta',
        'bn1/moving_mean',
        'bn1/moving_variance',
        'fc1/kernel',
        'fc1/bias',
        'output/kernel',
        'output/bias'
      ].sort()
    )
    c.model.dispose()
  })

  it('can train BN gamma/beta of unfrozen base layers while their moving statistics stay fixed', async () => {
    const c = composed()
    const before = snapshot(c.model)
    await fit(c, 3, true)
    const moved = changed(before, snapshot(c.model))
    expect(moved).toEqual(expect.arrayContaining(['c2/kernel', 'c2_bn/gamma', 'c2_bn/beta']))
    expect(moved.filter((w) => w.startsWith('c1') || w.startsWith('c2_bn/moving'))).toEqual([])
    c.model.dispose()
  })

  it('with a frozen base (stage 1 on images) changes the head only, and the model classifies', async () => {
    const c = composed()
    const before = snapshot(c.model)
    const result = await fit(c, 0)
    expect(changed(before, snapshot(c.model)).filter((w) => /^c\d/.test(w))).toEqual([])
    const p = await predictSource(imageTarget(c, { trainableTopLayers: 0 }), imageSource())
    expect(p.probs).toHaveLength(N * K)
    expect(result.history).toHaveLength(2)
    c.model.dispose()
  })

  it('refuses to fine-tune convolutions on wasm, which lacks their gradient kernels', async () => {
    const requireHere = createRequire(__filename)
    const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(
      path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep
    )
    expect(await tf.setBackend('wasm')).toBe(true)
    try {
      const c = composed()
      expect(() => imageTarget(c, { trainableTopLayers: 3 })).toThrow(
        /layer "c2" needs the Conv2DBackpropFilter kernel, which the "wasm" backend lacks/
      )
      // A frozen base needs no convolution gradients.
      expect(imageTarget(c, { trainableTopLayers: 0 }).trainStep).toBeDefined()
      c.model.dispose()
    } finally {
      await tf.setBackend('cpu')
    }
  })
})

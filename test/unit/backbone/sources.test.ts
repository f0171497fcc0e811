import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../src/main/compute/backend'
import { saveKerasH5Weights } from '../../fixtures/backbone/keras-h5-write'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { buildMobileNetV2 } from '../../../src/main/training/backbone/mobilenet-v2'
import { copyWeightsByName } from '../../../src/main/training/backbone/model-surgery'
import { saveTfjsDirBackbone } from '../../../src/main/training/backbone/tfjs-dir-source'
import { randomizeBatchNorm } from '../../helpers/batch-norm-stats'

let dir: string

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])
}

function predict(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return model.predict(x) as tf.Tensor
}

function sameWeights(a: tf.LayersModel, b: tf.LayersModel): boolean {
  const wa = a.getWeights()
  const wb = b.getWeights()
  return wa.length === wb.length && wa.every((t, i) => maxAbsDiff(t, wb[i]) === 0)
}

beforeAll(async () => {
  await selectBackend()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-backbone-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('nsfwjs backbone', () => {
  it('loads the packaged MobileNetV2 truncated at out_relu, with [0,1] scaling and no leaked tensors', async () => {
    const before = tf.memory().numTensors
    const { model, source } = await loadBackbone({ kind: 'nsfwjs', inputSize: 224 })
    expect(model.outputs).toHaveLength(1)
    expect(model.outputs[0].shape).toEqual([null, 7, 7, 1280])
    expect(model.layers[model.layers.length - 1].name).toBe('out_relu')
    expect(model.countParams()).toBe(2_257_984)
    expect(source.kind).toBe('nsfwjs')
    expect(source.inputScaling).toBe('[0,1]')
    expect(source.description).toMatch(/nsfwjs 4\.4\.0 npm package \(Keras 2\.2\.4, uint8-quantised/)
    expect(source.sha256).toMatch(/^[0-9a-f]{64}$/)

    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 3)
    const y = predict(model, x)
    expect(y.shape).toEqual([1, 7, 7, 1280])
    // Pretrained features are sparse ReLU6 activations, not all zero.
    expect(tf.tidy(() => tf.max(y).dataSync()[0])).toBeGreaterThan(0.1)

    // The builder's 'same' Conv1 equals Keras 2.2.4's Conv1_pad + 'valid' at 224 px.
    const built = buildMobileNetV2({ inputSize: 224, includeTop: false })
    expect(copyWeightsByName(model, built)).toBe(260)
    const yb = predict(built, x)
    expect(maxAbsDiff(y, yb)).toBeLessThan(1e-4)

    tf.dispose([x, y, yb])
    built.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rebuilds at another input size with the same weights', async () => {
    const a = await loadBackbone({ kind: 'nsfwjs', inputSize: 224 })
    const b = await loadBackbone({ kind: 'nsfwjs', inputSize: 96 })
    expect(b.model.outputs[0].shape).toEqual([null, 3, 3, 1280])
    expect(b.source.description).toMatch(/copied by layer name into a 96 px MobileNetV2/)
    expect(b.source.sha256).toBe(a.source.sha256)
    const k = (m: tf.LayersModel) => m.getLayer('block_16_project').getWeights()[0]
    expect(maxAbsDiff(k(a.model), k(b.model))).toBe(0)
    a.model.dispose()
    b.model.dispose()
  })
})

describe('keras-h5 backbone', () => {
  it('round-trips weights and predictions through a Keras-layout HDF5 file', async () => {
    const before = tf.memory().numTensors
    const original = buildMobileNetV2({ inputSize: 64, includeTop: false, seed: 11 })
    // Non-trivial BN statistics, so a swapped moving_mean/moving_variance would show.
    randomizeBatchNorm(original)
    const file = path.join(dir, 'mobilenet_v2_test_no_top.h5')
    await saveKerasH5Weights(original, file)

    const loaded = await loadBackbone({ kind: 'keras-h5', path: file, inputSize: 64 })
    expect(loaded.source.kind).toBe('keras-h5')
    expect(loaded.source.inputScaling).toBe('[-1,1]')
    expect(loaded.source.path).toBe(file)
    expect(loaded.source.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(sameWeights(original, loaded.model)).toBe(true)
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 5)
    const ya = predict(original, x)
    const yb = predict(loaded.model, x)
    expect(maxAbsDiff(ya, yb)).toBe(0)

    // The same file loads at another input size (weights do not depend on it).
    const at96 = await loadBackbone({ kind: 'keras-h5', path: file, inputSize: 96 })
    expect(at96.model.outputs[0].shape).toEqual([null, 3, 3, 1280])

    tf.dispose([x, ya, yb])
    for (const m of [original, loaded.model, at96.model]) m.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('names the file and the reason when it cannot be used', async () => {
    await expect(
      loadBackbone({ kind: 'keras-h5', path: path.join(dir, 'none.h5'), inputSize: 64 })
    ).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
    const junk = path.join(dir, 'junk.h5')
    fs.writeFileSync(junk, 'not hdf5')
    await expect(loadBackbone({ kind: 'keras-h5', path: junk, inputSize: 64 })).rejects.toThrow(/junk\.h5/)
    await expect(loadBackbone({ kind: 'keras-h5', inputSize: 64 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})

describe('tfjs-dir backbone', () => {
  it('round-trips a saved directory and reads the scaling from its sidecar', async () => {
    const before = tf.memory().numTensors
    const original = buildMobileNetV2({ inputSize: 64, includeTop: false, seed: 21 })
    const out = path.join(dir, 'tfjs-backbone')
    await saveTfjsDirBackbone(original, out, { inputScaling: '[0,1]', description: 'test weights' })
    expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json', 'neuropath-backbone.json'])

    const loaded = await loadBackbone({ kind: 'tfjs-dir', path: out, inputSize: 64 })
    expect(loaded.source.inputScaling).toBe('[0,1]')
    expect(loaded.source.description).toMatch(/origin: test weights/)
    expect(sameWeights(original, loaded.model)).toBe(true)
    const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 6)
    const ya = predict(original, x)
    const yb = predict(loaded.model, x)
    expect(maxAbsDiff(ya, yb)).toBe(0)

    // Without the sidecar the Keras convention applies.
    fs.rmSync(path.join(out, 'neuropath-backbone.json'))
    const plain = await loadBackbone({ kind: 'tfjs-dir', path: out, inputSize: 32 })
    expect(plain.source.inputScaling).toBe('[-1,1]')
    expect(plain.model.outputs[0].shape).toEqual([null, 1, 1, 1280])

    tf.dispose([x, ya, yb])
    for (const m of [original, loaded.model, plain.model]) m.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('rejects a directory without model.json', async () => {
    await expect(loadBackbone({ kind: 'tfjs-dir', path: dir, inputSize: 64 })).rejects.toMatchObject({
      code: 'NOT_FOUND'
    })
  })
})

describe('random backbone', () => {
  it('is reproducible from its seed and says it is untrained', async () => {
    const a = await loadBackbone({ kind: 'random', inputSize: 32, seed: 3 })
    const b = await loadBackbone({ kind: 'random', inputSize: 32, seed: 3 })
    expect(sameWeights(a.model, b.model)).toBe(true)
    expect(a.source.description).toMatch(/random .*no pretraining/)
    expect(a.source.sha256).toBeUndefined()
    a.model.dispose()
    b.model.dispose()
  })
})

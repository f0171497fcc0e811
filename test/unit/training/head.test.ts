import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildHead, HEAD_LAYER_NAMES } from '../../../src/main/training/head/build-head'
import { backboneFeatureDim, composeModel } from '../../../src/main/training/head/compose-model'
import { resolveHeadConfig } from '../../../src/main/training/head/config'
import { setTrainableTop } from '../../../src/main/training/head/freeze'
import { tinyBackbone, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

describe('buildHead', () => {
  let head: tf.LayersModel
  beforeAll(() => {
    head = buildHead({ numClasses: 4 }, 1280)
  })
  afterAll(() => head.dispose())

  it('has the seed head layers with Keras names and parameter counts', () => {
    expect(head.layers.slice(1).map((l) => l.name)).toEqual([...HEAD_LAYER_NAMES])
    const params = (name: string): number => head.getLayer(name).countParams()
    expect(params('fc1')).toBe(655_872)
    expect(params('fc2')).toBe(131_328)
    expect(params('output')).toBe(256 * 4 + 4)
    expect(params('bn1')).toBe(4 * 1280)
    expect(params('bn2')).toBe(4 * 256)
    expect(head.countParams()).toBe(655_872 + 131_328 + 1028 + 4 * 1280 + 4 * 256)
  })

  it('maps [b, featureDim] embeddings to [b, K] probabilities', () => {
    const p = tf.tidy(() => head.predict(tf.randomUniform([3, 1280], 0, 1, 'float32', 1)) as tf.Tensor)
    expect(p.shape).toEqual([3, 4])
    const sums = tf.tidy(() => tf.sum(p, -1).arraySync() as number[])
    sums.forEach((s) => expect(s).toBeCloseTo(1, 5))
    p.dispose()
  })

  it('uses the configured widths, rates and seed', () => {
    const small = buildHead({ numClasses: 3, fc1Units: 8, fc2Units: 5, dropout1: 0.25, dropout2: 0, seed: 9 }, 6)
    const again = buildHead({ numClasses: 3, fc1Units: 8, fc2Units: 5, dropout1: 0.25, dropout2: 0, seed: 9 }, 6)
    const other = buildHead({ numClasses: 3, fc1Units: 8, fc2Units: 5, seed: 10 }, 6)
    expect(small.getLayer('fc1').countParams()).toBe(6 * 8 + 8)
    expect(small.getLayer('output').countParams()).toBe(5 * 3 + 3)
    expect(small.getLayer('dropout1').getConfig().rate).toBe(0.25)
    const k = (m: tf.LayersModel): number[] => Array.from(m.getLayer('fc1').getWeights()[0].dataSync())
    expect(k(again)).toEqual(k(small))
    expect(k(other)).not.toEqual(k(small))
    ;[small, again, other].forEach((m) => m.dispose())
  })

  it('rejects bad configs with the field named', () => {
    expect(() => resolveHeadConfig({ numClasses: 1 })).toThrow(/numClasses/)
    expect(() => resolveHeadConfig({ numClasses: 3, dropout1: 1 })).toThrow(/dropout1/)
    expect(() => buildHead({ numClasses: 3 }, 0)).toThrow(/featureDim/)
  })
})

describe('composeModel', () => {
  it('puts backbone → global_avg_pool → head layers into one model sharing the head weights', () => {
    const backbone = tinyBackbone()
    const head = buildHead({ numClasses: 3, fc1Units: 8, fc2Units: 4 }, backboneFeatureDim(backbone))
    const { model } = composeModel(backbone, head)
    expect(model.layers.map((l) => l.name)).toEqual([
      ...backbone.layers.map((l) => l.name),
      'global_avg_pool',
      ...HEAD_LAYER_NAMES
    ])
    expect(model.outputs[0].shape).toEqual([null, 3])
    expect(model.countParams()).toBe(backbone.countParams() + head.countParams())

    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3)
    const viaParts = (): number[] =>
      tf.tidy(() =>
        Array.from((head.predict(tf.mean(backbone.predict(x) as tf.Tensor, [1, 2])) as tf.Tensor).dataSync())
      )
    const viaModel = (): number[] => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()))
    expect(maxDiff(viaModel(), viaParts())).toBeLessThan(1e-6)
    // A change to the embedding head's weights is a change to the composed model's.
    const before = viaModel()
    tf.tidy(() =>
      head.getLayer('output').setWeights(
        head
          .getLayer('output')
          .getWeights()
          .map((w) => tf.mul(w, 3))
      )
    )
    const after = viaModel()
    expect(maxDiff(after, before)).toBeGreaterThan(1e-3)
    expect(maxDiff(after, viaParts())).toBeLessThan(1e-6)
    x.dispose()
    model.dispose()
  })

  it('builds a head from a config sized to the backbone channels', () => {
    const backbone = tinyBackbone()
    const { head, model } = composeModel(backbone, { numClasses: 5, fc1Units: 4, fc2Units: 4 })
    expect(head.inputs[0].shape).toEqual([null, 6])
    expect(model.outputs[0].shape).toEqual([null, 5])
    model.dispose()
  })

  it('rejects a head whose width does not match the backbone', () => {
    const backbone = tinyBackbone()
    const head = buildHead({ numClasses: 3, fc1Units: 4, fc2Units: 4 }, 7)
    expect(() => composeModel(backbone, head)).toThrow(/expects 7 features but backbone "tiny_backbone" outputs 6/)
    head.dispose()
    backbone.dispose()
  })
})

describe('setTrainableTop', () => {
  it('unfreezes the top N layers as Keras counts them, keeping BN frozen unless asked', () => {
    const backbone = tinyBackbone()
    // layers: image, c1, c1_bn, c1_relu, c2, c2_bn, c2_relu
    expect(setTrainableTop(backbone, 3)).toEqual(['c2'])
    expect(backbone.trainableWeights.map((w) => w.originalName)).toEqual(['c2/kernel'])
    expect(setTrainableTop(backbone, 3, { trainBatchNorm: true })).toEqual(['c2', 'c2_bn'])
    expect(setTrainableTop(backbone, 0)).toEqual([])
    expect(backbone.trainableWeights).toHaveLength(0)
    expect(setTrainableTop(backbone, 100)).toEqual(['c1', 'c2'])
    expect(() => setTrainableTop(backbone, -1)).toThrow(/tiny_backbone/)
    backbone.dispose()
  })
})

function maxDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])))
}

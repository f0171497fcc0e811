import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../src/main/compute/backend'
import { buildMobileNetV2 } from '../../../src/main/training/backbone/mobilenet-v2'

/** keras.applications.MobileNetV2(include_top=False, alpha=1.0) layer names (TF 2.x), written out by hand. */
function kerasLayerNames(): string[] {
  const names = ['input_1', 'Conv1', 'bn_Conv1', 'Conv1_relu']
  names.push(
    'expanded_conv_depthwise',
    'expanded_conv_depthwise_BN',
    'expanded_conv_depthwise_relu',
    'expanded_conv_project',
    'expanded_conv_project_BN'
  )
  const strideTwo = new Set([1, 3, 6, 13])
  const withAdd = new Set([2, 4, 5, 7, 8, 9, 11, 12, 14, 15])
  for (let i = 1; i <= 16; i++) {
    const p = `block_${i}_`
    names.push(`${p}expand`, `${p}expand_BN`, `${p}expand_relu`)
    if (strideTwo.has(i)) names.push(`${p}pad`)
    names.push(`${p}depthwise`, `${p}depthwise_BN`, `${p}depthwise_relu`, `${p}project`, `${p}project_BN`)
    if (withAdd.has(i)) names.push(`${p}add`)
  }
  names.push('Conv_1', 'Conv_1_bn', 'out_relu')
  return names
}

describe('buildMobileNetV2', () => {
  beforeAll(async () => {
    await selectBackend()
  })

  it('has the Keras layer names and 2,257,984 parameters at 224 px, α = 1.0', () => {
    const before = tf.memory().numTensors
    const model = buildMobileNetV2({ inputSize: 224, includeTop: false })
    expect(model.layers.map((l) => l.name)).toEqual(kerasLayerNames())
    expect(model.layers).toHaveLength(154)
    expect(model.countParams()).toBe(2_257_984)
    expect(model.outputs[0].shape).toEqual([null, 7, 7, 1280])
    expect(model.getLayer('block_1_pad').getConfig().padding).toEqual([
      [0, 1],
      [0, 1]
    ])
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it.each([
    [32, 1],
    [64, 2],
    [96, 3],
    [100, 4]
  ])('builds and runs at %i px (%i output cells a side)', (size, cells) => {
    const before = tf.memory().numTensors
    const model = buildMobileNetV2({ inputSize: size, includeTop: false, seed: 1 })
    expect(model.countParams()).toBe(2_257_984)
    const y = tf.tidy(() => model.predict(tf.ones([2, size, size, 3])) as tf.Tensor)
    expect(y.shape).toEqual([2, cells, cells, 1280])
    const v = y.dataSync()
    expect(Math.max(...v)).toBeLessThanOrEqual(6)
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0)
    y.dispose()
    model.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('is reproducible with a seed and differs across seeds', () => {
    const a = buildMobileNetV2({ inputSize: 32, includeTop: false, seed: 7 })
    const b = buildMobileNetV2({ inputSize: 32, includeTop: false, seed: 7 })
    const c = buildMobileNetV2({ inputSize: 32, includeTop: false, seed: 8 })
    const k = (m: tf.LayersModel) => Array.from(m.getLayer('Conv1').getWeights()[0].dataSync().slice(0, 16))
    expect(k(a)).toEqual(k(b))
    expect(k(a)).not.toEqual(k(c))
    for (const m of [a, b, c]) m.dispose()
  })

  it('rejects sizes below 32 px and a top', () => {
    expect(() => buildMobileNetV2({ inputSize: 16, includeTop: false })).toThrow(/inputSize/)
    expect(() => buildMobileNetV2({ inputSize: 64, includeTop: true as false })).toThrow(/includeTop/)
  })
})

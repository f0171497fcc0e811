import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { openBackboneRuntime } from '../../../src/main/backbone-runtime/backbone-runtime'
import { selectBackend } from '../../../src/main/compute/backend'
import { compileInferencePlan, planSha256 } from '../../../src/main/training/backbone/inference-plan'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'

beforeAll(async () => {
  await selectBackend()
})

describe('compileInferencePlan', () => {
  it('folds BN, ReLU6 and Conv1_pad of the 224 px nsfwjs network and matches predict + mean', async () => {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: 224 })
    const plan = compileInferencePlan(model)
    // 52 convolutions + 10 residual adds + 4 block pads that feed depthwise convolutions; Conv1_pad is folded.
    expect(plan.ops.filter((o) => o.op === 'conv' || o.op === 'depthwise')).toHaveLength(52)
    expect(plan.ops.filter((o) => o.op === 'add')).toHaveLength(10)
    expect(plan.ops.filter((o) => o.op === 'pad').map((o) => o.name)).toEqual([
      'block_1_pad',
      'block_3_pad',
      'block_6_pad',
      'block_13_pad'
    ])
    expect(plan.ops[0].pad).toEqual([
      [0, 0],
      [0, 1],
      [0, 1],
      [0, 0]
    ])
    expect(plan.output).toBe('out_relu')
    expect(plan.featureDim).toBe(1280)

    // The plan on tfjs: the fused-op fallback of the backbone runtime (ONNX Runtime is checked in onnx/).
    const backend = await selectBackend()
    const x = tf.randomUniform([2, 224, 224, 3], 0, 1, 'float32', 9) as tf.Tensor4D
    const reference = tf.tidy(() => tf.mean(model.predict(x) as tf.Tensor4D, [1, 2]))
    const before = tf.memory().numTensors
    const runtime = await openBackboneRuntime(plan, {
      outputs: ['embedding', 'featureMap'],
      backend: { ...backend, active: backend.tfActive }
    })
    expect(runtime.engine).toMatch(/^tfjs .*fused plan/)
    const fused = await runtime.run(x.dataSync() as Float32Array, 2)
    await runtime.close()
    expect(tf.memory().numTensors).toBe(before)
    expect(fused.embedding).toHaveLength(2 * 1280)
    expect(fused.featureMap?.shape).toEqual([2, 7, 7, 1280])
    const diff = tf.tidy(
      () => tf.max(tf.abs(tf.sub(tf.tensor2d(fused.embedding!, [2, 1280]), reference))).dataSync()[0]
    )
    expect(diff).toBeLessThan(1e-4)
    tf.dispose([x, reference])

    expect(planSha256(plan)).toMatch(/^[0-9a-f]{64}$/)
    plan.ops[0].bias![0] += 1e-3
    expect(planSha256(plan)).not.toBe(planSha256(compileInferencePlan(model)))
    model.dispose()
  })

  it('rejects a layer it has no fused form for, naming it', () => {
    const input = tf.input({ shape: [8, 8, 3] })
    const out = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool_here' }).apply(input) as tf.SymbolicTensor
    const model = tf.model({ inputs: input, outputs: out })
    expect(() => compileInferencePlan(model)).toThrow(/"pool_here" \(MaxPooling2D\)/)
    model.dispose()
  })
})

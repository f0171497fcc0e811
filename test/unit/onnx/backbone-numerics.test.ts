import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBackboneRuntime } from '../../../src/main/backbone-runtime/backbone-runtime'
import { selectBackend } from '../../../src/main/compute/backend'
import { BACKBONE_IO, planToOnnx } from '../../../src/main/onnx/plan-to-onnx'
import { createOrtSession, loadOrt } from '../../../src/main/onnx/ort-runtime'
import { compileInferencePlan } from '../../../src/main/training/backbone/inference-plan'
import { scalePixels } from '../../../src/main/training/preprocess/scale-pixels'
import { saveKerasH5Weights } from '../../fixtures/backbone/keras-h5-write'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { buildMobileNetV2 } from '../../../src/main/training/backbone/mobilenet-v2'
import { randomizeBatchNorm } from '../../helpers/batch-norm-stats'

/**
 * The ONNX Runtime backbone against the tfjs LayersModel it was built from. Relative error is measured
 * per image as ‖ort − tfjs‖₂ / ‖tfjs‖₂ and, elementwise, as max|ort − tfjs| / max|tfjs|; both must stay
 * below 1e-4.
 */
function relativeErrors(got: Float32Array, want: Float32Array, rows: number): { l2: number; max: number } {
  const dim = want.length / rows
  let l2 = 0
  let maxDiff = 0
  let maxRef = 0
  for (let r = 0; r < rows; r++) {
    let num = 0
    let den = 0
    for (let i = r * dim; i < (r + 1) * dim; i++) {
      const d = got[i] - want[i]
      num += d * d
      den += want[i] * want[i]
      maxDiff = Math.max(maxDiff, Math.abs(d))
      maxRef = Math.max(maxRef, Math.abs(want[i]))
    }
    l2 = Math.max(l2, Math.sqrt(num / den))
  }
  return { l2, max: maxDiff / maxRef }
}

async function ortRun(
  bytes: Uint8Array,
  x: tf.Tensor4D
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const session = await createOrtSession(bytes)
  const r = await session.run({
    [BACKBONE_IO.input]: new status.ort.Tensor('float32', x.dataSync() as Float32Array, x.shape)
  })
  await session.release()
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, { data: v.data as Float32Array, dims: v.dims.map(Number) }])
  )
}

let dir = ''
beforeAll(async () => {
  const backend = await selectBackend()
  expect(backend.active).toBe('ort')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-onnx-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('ONNX Runtime backbone numerics', () => {
  it('equals the nsfwjs LayersModel at 224 px within 1e-4 relative error, embedding and feature map', async () => {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: 224 })
    const plan = compileInferencePlan(model)
    const x = tf.randomUniform([3, 224, 224, 3], 0, 1, 'float32', 21) as tf.Tensor4D
    const map = model.predict(x) as tf.Tensor4D
    const pooled = tf.mean(map, [1, 2])
    const runtime = await openBackboneRuntime(plan, { outputs: ['embedding', 'featureMap'] })
    expect(runtime.backend).toBe('ort')
    const out = await runtime.run(x.dataSync() as Float32Array, 3)
    await runtime.close()
    const e = relativeErrors(out.embedding!, pooled.dataSync() as Float32Array, 3)
    expect(e.l2).toBeLessThan(1e-4)
    expect(e.max).toBeLessThan(1e-4)
    expect(out.featureMap?.shape).toEqual([3, 7, 7, 1280])
    const m = relativeErrors(out.featureMap!.data, map.dataSync() as Float32Array, 3)
    expect(m.l2).toBeLessThan(1e-4)
    // A wrong weight layout would not come close: a perturbed plan is far off (the check can fail).
    plan.ops[3].filter![0] += 5
    const broken = await openBackboneRuntime(plan, { outputs: ['embedding'] })
    const off = await broken.run(x.dataSync() as Float32Array, 3)
    await broken.close()
    expect(relativeErrors(off.embedding!, pooled.dataSync() as Float32Array, 3).l2).toBeGreaterThan(1e-3)
    tf.dispose([x, map, pooled])
    model.dispose()
  })

  it('equals a Keras .h5-loaded backbone at an odd size (asymmetric SAME padding) within 1e-4', async () => {
    const original = buildMobileNetV2({ inputSize: 80, includeTop: false, seed: 7 })
    // Non-trivial BN statistics, so folding errors show.
    randomizeBatchNorm(original)
    const file = path.join(dir, 'mobilenet_v2_numerics_no_top.h5')
    await saveKerasH5Weights(original, file)
    original.dispose()
    const { model } = await loadBackbone({ kind: 'keras-h5', path: file, inputSize: 80 })
    expect(model.outputs[0].shape).toEqual([null, 3, 3, 1280])
    const x = tf.randomUniform([4, 80, 80, 3], -1, 1, 'float32', 8) as tf.Tensor4D
    const pooled = tf.tidy(() => tf.mean(model.predict(x) as tf.Tensor4D, [1, 2]))
    const r = await ortRun(planToOnnx(compileInferencePlan(model), { outputs: ['embedding'] }), x)
    expect(r[BACKBONE_IO.embedding].dims).toEqual([4, 1280])
    const e = relativeErrors(r[BACKBONE_IO.embedding].data, pooled.dataSync() as Float32Array, 4)
    expect(e.l2).toBeLessThan(1e-4)
    expect(e.max).toBeLessThan(1e-4)
    tf.dispose([x, pooled])
    model.dispose()
  })

  it('gives the unpooled feature map of any plan value: a sub-model cut at block_13_project, NHWC or NCHW', async () => {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: 96 })
    const sub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('block_13_project').output as tf.SymbolicTensor
    })
    const plan = compileInferencePlan(sub)
    expect(plan.output).toBe('block_13_project')
    expect(plan.featureDim).toBe(160)
    const x = tf.randomUniform([2, 96, 96, 3], 0, 1, 'float32', 3) as tf.Tensor4D
    const want = sub.predict(x) as tf.Tensor4D
    expect(want.shape).toEqual([2, 3, 3, 160])
    const nhwc = await ortRun(planToOnnx(plan, { outputs: ['featureMap'] }), x)
    expect(nhwc[BACKBONE_IO.featureMap].dims).toEqual([2, 3, 3, 160])
    expect(relativeErrors(nhwc[BACKBONE_IO.featureMap].data, want.dataSync() as Float32Array, 2).l2).toBeLessThan(1e-4)
    const nchw = await ortRun(planToOnnx(plan, { outputs: ['featureMap'], featureLayout: 'nchw' }), x)
    expect(nchw[BACKBONE_IO.featureMap].dims).toEqual([2, 160, 3, 3])
    const wantNchw = tf.transpose(want, [0, 3, 1, 2])
    expect(relativeErrors(nchw[BACKBONE_IO.featureMap].data, wantNchw.dataSync() as Float32Array, 2).l2).toBeLessThan(
      1e-4
    )

    // `at` picks a value inside the full plan: block_13_project_BN is block_13_project with BN folded in.
    const full = compileInferencePlan(model)
    const bnSub = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('block_13_project_BN').output as tf.SymbolicTensor
    })
    const wantBn = bnSub.predict(x) as tf.Tensor4D
    const at = await ortRun(planToOnnx(full, { outputs: ['featureMap', 'embedding'], at: 'block_13_project_BN' }), x)
    expect(relativeErrors(at[BACKBONE_IO.featureMap].data, wantBn.dataSync() as Float32Array, 2).l2).toBeLessThan(1e-4)
    expect(at[BACKBONE_IO.embedding].dims).toEqual([2, 160])
    expect(() => planToOnnx(full, { outputs: ['featureMap'], at: 'no_such_layer' })).toThrow(/no value "no_such_layer"/)
    tf.dispose([x, want, wantNchw, wantBn])
    model.dispose()
  })

  it('reads a batch from a view into a larger buffer (embedArrays passes subarrays)', async () => {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: 32 })
    const runtime = await openBackboneRuntime(compileInferencePlan(model), { outputs: ['embedding'] })
    const per = 32 * 32 * 3
    const all = tf.tidy(() => tf.randomUniform([4 * per], 0, 1, 'float32', 3).dataSync() as Float32Array)
    const view = await runtime.run(all.subarray(2 * per), 2)
    const copy = await runtime.run(all.slice(2 * per), 2)
    const first = await runtime.run(all.slice(0, 2 * per), 2)
    await runtime.close()
    model.dispose()
    expect(Array.from(view.embedding!)).toEqual(Array.from(copy.embedding!))
    expect(Array.from(view.embedding!)).not.toEqual(Array.from(first.embedding!))
  })

  it('scales 8-bit pixels in the graph (runPixels) bit for bit as the JS preprocessing does, for both scalings', async () => {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: 64 })
    const plan = compileInferencePlan(model)
    model.dispose()
    const per = 64 * 64 * 3
    const pixels = Uint8Array.from({ length: 3 * per }, (_, i) => (i * 37 + (i >> 7) * 11) % 256)
    for (const scaling of ['[-1,1]', '[0,1]'] as const) {
      const runtime = await openBackboneRuntime(plan, { outputs: ['embedding'], pixels: scaling })
      expect(runtime.pixelScaling).toBe(scaling)
      const fromPixels = await runtime.runPixels!(pixels, 3)
      const fromFloats = await runtime.run(scalePixels(pixels, 3, scaling) as Float32Array, 3)
      await runtime.close()
      // The graph looks pixels up in the JS path's own table: the same inputs, the same embeddings.
      expect(Array.from(fromPixels.embedding!)).toEqual(Array.from(fromFloats.embedding!))
    }
    // A runtime opened without a pixel scaling offers no runPixels.
    const plain = await openBackboneRuntime(plan, { outputs: ['embedding'] })
    expect(plain.runPixels).toBeUndefined()
    await plain.close()
  })
})

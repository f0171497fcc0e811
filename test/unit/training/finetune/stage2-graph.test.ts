import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createOrtSession, loadOrt } from '../../../../src/main/onnx/ort-runtime'
import { loadRandomBackbone } from '../../../../src/main/training/backbone/random-source'
import { buildStage2Graphs } from '../../../../src/main/training/finetune/stage2-graph'
import { applyTopLayers, topLayers } from '../../../../src/main/training/finetune/top-layers'
import { headLayers } from '../../../../src/main/training/head/build-head'
import { composeModel, type ComposedModel } from '../../../../src/main/training/head/compose-model'
import { setTrainableTop } from '../../../../src/main/training/head/freeze'
import { categoricalCrossEntropy } from '../../../../src/main/training/loop/loss'
import { useCpuBackend } from '../fixtures'
import { uniform } from './grad-check'

beforeAll(useCpuBackend)

/**
 * Tolerance of the whole-model check: ~40 float32 ops deep, with sums over up to 1,280 terms in different
 * orders (ORT GEMMs vs tfjs-cpu loops), agreement is ~1e-5 of the largest gradient; 1e-3 leaves room on
 * every weight and still fails on any wrong term (which gives errors of order 1).
 */
const TOL = 1e-3
const SIZE = 64
const K = 3
const N = 4

/** MobileNetV2 (random, seeded) at 64 px with BN statistics and γ/β moved off 0/1, plus a dropout-free head. */
function model(): ComposedModel {
  const backbone = loadRandomBackbone(SIZE, 5).model
  let seed = 100
  for (const l of backbone.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue
    const c = l.getWeights()[0].shape[0]
    l.setWeights([
      tf.tensor1d(uniform(c, seed++, 0.5, 1.5)),
      tf.tensor1d(uniform(c, seed++, -0.2, 0.2)),
      tf.tensor1d(uniform(c, seed++, -0.5, 0.5)),
      tf.tensor1d(uniform(c, seed++, 0.5, 1.5))
    ])
  }
  return composeModel(backbone, { numClasses: K, fc1Units: 16, fc2Units: 8, dropout1: 0, dropout2: 0, seed: 7 })
}

/** The tfjs reference: top layers in inference mode from the boundary value, GAP, head in training mode. */
function referenceLoss(
  c: ComposedModel,
  top: ReturnType<typeof topLayers>,
  x: tf.Tensor,
  y: tf.Tensor2D,
  w: tf.Tensor1D
) {
  const last = applyTopLayers(top, x)
  let h: tf.Tensor = tf.mean(last, [1, 2])
  for (const l of headLayers(c.head)) h = l.apply(h, { training: true }) as tf.Tensor
  return categoricalCrossEntropy(h as tf.Tensor2D, y, w)
}

describe('stage-2 graph (MobileNetV2 top 30 + head) against tf.grad', () => {
  it('gives tfjs loss and the gradient of every trainable weight', async () => {
    const status = loadOrt()
    if (!status.ok) throw new Error(status.reason)
    const c = model()
    setTrainableTop(c.backbone, 30, { trainBatchNorm: true })
    const top = topLayers(c.backbone, 30)
    expect(top.boundary).toBe('block_13_project')
    expect(top.layers[0].name).toBe('block_13_project_BN')
    expect(top.layers.at(-1)?.name).toBe('out_relu')
    const [h, w, ch] = top.boundaryShape
    const graphs = buildStage2Graphs(c, top, 'features')
    const xValues = uniform(N * h * w * ch, 1, -2, 2)
    const labels = [0, 1, 2, 1]
    const oneHot = new Float32Array(N * K)
    labels.forEach((l, r) => (oneHot[r * K + l] = 1))
    const sampleWeights = Float32Array.of(1, 0.5, 2, 1)

    const session = await createOrtSession(graphs.train.bytes, 1)
    const io = graphs.train.io
    const feeds: Record<string, InstanceType<typeof status.ort.Tensor>> = {
      [io.x]: new status.ort.Tensor('float32', xValues, [N, h, w, ch]),
      [io.oneHot]: new status.ort.Tensor('float32', oneHot, [N, K]),
      [io.sampleWeights]: new status.ort.Tensor('float32', sampleWeights, [N])
    }
    graphs.params.forEach((p, i) => {
      feeds[p.name] = new status.ort.Tensor('float32', graphs.vars[i].read().dataSync() as Float32Array, p.shape)
    })
    expect(io.dropouts).toHaveLength(0)
    const out = await session.run(feeds)
    await session.release()

    const trained = graphs.vars.filter((v) => v.trainable)
    // 10 kernels and 11 BN layers (γ, β) in the top 30 layers, and the 10 trainable head weights.
    expect(trained.length).toBe(Object.keys(io.grads).length)
    expect(trained.length).toBe(10 + 2 * 11 + 10)
    const { value, grads } = tf.variableGrads(
      () =>
        referenceLoss(
          c,
          top,
          tf.tensor4d(xValues, [N, h, w, ch]),
          tf.tensor2d(oneHot, [N, K]),
          tf.tensor1d(sampleWeights)
        ),
      trained.map((v) => v.read() as tf.Variable)
    )
    const loss = (out[io.loss].data as Float32Array)[0]
    expect(Math.abs(loss - value.dataSync()[0])).toBeLessThan(1e-4)
    for (const v of trained) {
      const ref = grads[(v.read() as tf.Variable).name].dataSync() as Float32Array
      const got = out[io.grads[v.originalName]].data as Float32Array
      let err = 0
      let scale = 0
      for (let j = 0; j < ref.length; j++) {
        err = Math.max(err, Math.abs(got[j] - ref[j]))
        scale = Math.max(scale, Math.abs(ref[j]))
      }
      expect(scale, `${v.originalName} has a non-zero gradient`).toBeGreaterThan(0)
      expect(err / scale, `relative error of d${v.originalName}`).toBeLessThan(TOL)
    }
  }, 300_000)
})

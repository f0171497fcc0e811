import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { onnx } from 'onnx-proto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FeatureMap } from '../../../src/main/backbone-runtime/backbone-runtime'
import { buildLayerCamGraph } from '../../../src/main/inference/gradcam/layercam-graph'
import { openSaliencyEngine, type SaliencyEngine } from '../../../src/main/inference/gradcam/saliency-engine'
import { splitClassifier, type SplitClassifier } from '../../../src/main/inference/model/split-classifier'
import { setOrtLoader } from '../../../src/main/onnx/ort-runtime'
import { compileInferencePlan } from '../../../src/main/training/backbone/inference-plan'
import { loadModelArtifact, type ModelCard } from '../../../src/main/training/job/model-artifact'
import { backboneUpTo, SALIENCY_BASELINE_FILE, SALIENCY_LAYER } from '../../../src/main/training/job/saliency-baseline'
import { tempDir, writeUntrainedModel } from './fixtures'

/**
 * Baseline LayerCAM on ONNX Runtime (layercam-graph.ts) against the tfjs engine it replaces (plan-tail.ts +
 * baseline-cam.ts), on a real plan: the seeded random MobileNetV2 at 96 px with an untrained 3-class seed
 * head, so the saliency layer block_13_expand_relu is 6 × 6 × 576 and the tail starts with the stride-2
 * depthwise behind ZeroPadding ((0, 1), (0, 1)), as at 224 px.
 *
 * Tolerance: the two engines sum the same float32 products in different orders through 17 layers and K
 * backward passes; measured differences are ~1e-6 of the largest value. 1e-3 of each class's largest map
 * value (and 1e-4 absolute on probabilities) leaves room and still fails on a wrong pad side, stride, class
 * or sign (errors of order 1).
 */
const SIZE = 96
const N = 5
const MAP_TOL = 1e-3
const PROB_TOL = 1e-4

const tmp = tempDir('layercam-ort')
let split: SplitClassifier
let card: ModelCard
let model: tf.LayersModel
let a: FeatureMap
let grid: [number, number]

beforeAll(async () => {
  const dir = await writeUntrainedModel(path.join(tmp.dir, 'model'), SIZE)
  ;({ model, card } = await loadModelArtifact(dir))
  split = splitClassifier(model, card.featureLayer, 'test model')
  const fine = backboneUpTo(split.features, SALIENCY_LAYER)
  // Images: seeded noise in the backbone's [-1, 1]; the baseline: the mean map of 4 other images.
  const image = (n: number, seed: number): tf.Tensor4D => tf.randomUniform([n, SIZE, SIZE, 3], -1, 1, 'float32', seed)
  const maps = tf.tidy(() => fine.predict(image(N, 1)) as tf.Tensor4D)
  const baseline = tf.tidy(() => tf.mean(fine.predict(image(4, 2)) as tf.Tensor4D, 0))
  const [, h, w, c] = maps.shape
  grid = [h, w]
  a = { data: maps.dataSync() as Float32Array, shape: [N, h, w, c] }
  fs.writeFileSync(path.join(dir, SALIENCY_BASELINE_FILE), baseline.dataSync() as Float32Array)
  card.saliency = {
    method: 'layercam-baseline',
    layer: SALIENCY_LAYER,
    baselineFile: SALIENCY_BASELINE_FILE,
    baselineImages: 4,
    grid: [h, w],
    channels: c
  }
  tf.dispose([maps, baseline])
})

afterEach(() => setOrtLoader())
afterAll(() => {
  split?.dispose()
  model?.dispose()
  tmp.cleanup()
})

async function predictWith(
  disableOrt: boolean
): Promise<{ engine: SaliencyEngine; phases: string[]; out: Awaited<ReturnType<SaliencyEngine['predict']>> }> {
  if (disableOrt)
    setOrtLoader(() => {
      throw new Error('simulated platform without ONNX Runtime')
    })
  const phases: string[] = []
  const engine = await openSaliencyEngine(split, card, path.join(tmp.dir, 'model'), true, (why) => phases.push(why))
  try {
    return { engine, phases, out: await engine.predict(a, true) }
  } finally {
    await engine.dispose()
  }
}

describe('Baseline LayerCAM on ONNX Runtime (one session: rest of the backbone, head, K input gradients)', () => {
  it('gives the probabilities and every class map of the tfjs engine on a random MobileNetV2 (96 px)', async () => {
    const ort = await predictWith(false)
    const tfjs = await predictWith(true)
    expect(grid).toEqual([6, 6])
    expect(ort.phases).toEqual([])
    expect(ort.engine.engine).toMatch(/^onnxruntime /)
    expect(tfjs.engine.engine).toMatch(/^tfjs /)
    expect(ort.engine.method).toEqual({ kind: 'layercam-baseline', layer: SALIENCY_LAYER })
    expect(tfjs.engine.method).toEqual(ort.engine.method)

    const k = card.classNames.length
    const hw = grid[0] * grid[1]
    expect(ort.out.probabilities).toHaveLength(N * k)
    ort.out.probabilities.forEach((p, i) => expect(Math.abs(p - tfjs.out.probabilities[i])).toBeLessThan(PROB_TOL))
    const got = ort.out.cams as Float32Array
    const want = tfjs.out.cams as Float32Array
    expect(got).toHaveLength(N * k * hw)
    expect(want).toHaveLength(N * k * hw)
    let worst = 0
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < k; c++) {
        const at = (i * k + c) * hw
        const ref = want.subarray(at, at + hw)
        const max = Math.max(...ref)
        // A map with no positive evidence would compare zeros with zeros: every map here has some.
        expect(max, `image ${i} class ${c}`).toBeGreaterThan(0)
        for (let j = 0; j < hw; j++) {
          expect(got[at + j]).toBeGreaterThanOrEqual(0)
          worst = Math.max(worst, Math.abs(got[at + j] - ref[j]) / max)
        }
      }
    }
    console.info(`LayerCAM ORT vs tfjs: worst map difference ${worst.toExponential(2)} of the class maximum`)
    expect(worst).toBeLessThan(MAP_TOL)
    // The classes' maps differ (each class got its own gradient, not one shared).
    expect(Array.from(got.subarray(0, hw))).not.toEqual(Array.from(got.subarray(hw, 2 * hw)))
  })

  it('says why it falls back to tfjs where ONNX Runtime cannot load', async () => {
    const tfjs = await predictWith(true)
    expect(tfjs.phases).toEqual([
      expect.stringMatching(
        /^LayerCAM maps on tfjs \w+ \(slower\): onnxruntime-node could not load: simulated platform/
      )
    ])
  })

  it('writes one input-gradient pass per class and no weight-gradient node', () => {
    const k = card.classNames.length
    const [h, w] = grid
    const bytes = buildLayerCamGraph({
      plan: compileInferencePlan(split.features),
      layer: SALIENCY_LAYER,
      shape: [h, w, 576],
      chain: split.chain,
      baseline: new Float32Array(h * w * 576),
      what: 'test model'
    })
    const nodes = onnx.ModelProto.decode(bytes).graph?.node ?? []
    const count = (pred: (n: onnx.INodeProto) => boolean): number => nodes.filter(pred).length
    // The tail has one strided depthwise convolution (block_13): its input gradient once per class.
    expect(count((n) => n.opType === 'ConvTranspose')).toBe(k)
    // Dense kernel gradients are Gemms with transA, BN γ/β gradients ReduceSums named by the head ops.
    expect(count((n) => n.opType === 'Gemm' && (n.attribute ?? []).some((a) => a.name === 'transA'))).toBe(0)
    expect(count((n) => /grad_dense_w|bn_dgamma|sum_rows/.test(n.output?.[0] ?? ''))).toBe(0)
    // Input gradients through the three Dense layers: one transB Gemm per layer and class.
    expect(count((n) => n.opType === 'Gemm' && (n.attribute ?? []).some((a) => a.name === 'transB'))).toBe(3 * k)
  })

  it('without maps runs a forward-only graph with the same probabilities', async () => {
    const engine = await openSaliencyEngine(split, card, path.join(tmp.dir, 'model'), true, () => undefined)
    try {
      const both = await engine.predict(a, true)
      const only = await engine.predict(a, false)
      expect(only.cams).toBeNull()
      expect(Array.from(only.probabilities)).toEqual(Array.from(both.probabilities))
    } finally {
      await engine.dispose()
    }
  })
})

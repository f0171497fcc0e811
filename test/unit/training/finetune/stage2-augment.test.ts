import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AugmentConfig } from '../../../../src/main/training/augment/config'
import { loadBackbone } from '../../../../src/main/training/backbone/load-backbone'
import { createOrtStage2Target } from '../../../../src/main/training/finetune/ort-stage2-target'
import { composeModel, type ComposedModel } from '../../../../src/main/training/head/compose-model'
import type { Batch } from '../../../../src/main/training/loop/batch-source'
import { mulberry32 } from '../../../../src/main/training/loop/random'
import { useCpuBackend } from '../fixtures'

beforeAll(useCpuBackend)

const SIZE = 96
const N = 6
const K = 2
const AUGMENT: AugmentConfig = { rotationDeg: 20, widthShift: 0.2, heightShift: 0.2, zoom: 0.2, horizontalFlip: true }

/**
 * The same model each call: nsfwjs' real MobileNetV2 weights at 96 px (a random backbone's top barely
 * depends on its input, so it cannot show augmentation), seeded head, dropout off so steps compare exactly.
 * Head BN in inference mode (frozen): batch statistics of a batch of 6 would amplify float rounding.
 */
async function model(): Promise<ComposedModel> {
  const { model: backbone } = await loadBackbone({ kind: 'nsfwjs', inputSize: SIZE })
  const c = composeModel(backbone, { numClasses: K, fc1Units: 16, fc2Units: 8, dropout1: 0, dropout2: 0, seed: 11 })
  for (const l of c.head.layers) if (l.getClassName() === 'BatchNormalization') l.trainable = false
  return c
}

/** A batch of images with an off-centre bright square, so geometric augmentation changes what the model sees. */
function batch(): Batch {
  const rng = mulberry32(4)
  const v = new Float32Array(N * SIZE * SIZE * 3)
  for (let i = 0; i < v.length; i++) {
    const px = Math.floor(i / 3) % (SIZE * SIZE)
    const [y, x] = [Math.floor(px / SIZE), px % SIZE]
    const n = Math.floor(i / (SIZE * SIZE * 3))
    // Each image its own pattern (stripes of its own frequency), so the features differ across the batch.
    v[i] = (y > 12 && y < 45 && x > 54 && x < 87 ? 0.9 : -0.6) + 0.5 * Math.sin((n + 1) * 0.4 * x) + 0.1 * rng()
  }
  const labels = Int32Array.from({ length: N }, (_, i) => i % K)
  return {
    x: tf.tensor4d(v, [N, SIZE, SIZE, 3]),
    xValues: v,
    y: tf.oneHot(tf.tensor1d(labels, 'int32'), K).toFloat() as tf.Tensor2D,
    labels,
    indices: Int32Array.from({ length: N }, (_, i) => i)
  }
}

/** Two steps on a fresh model's ONNX Runtime stage-2 target. */
async function twoSteps(augment: AugmentConfig | undefined, seeds = [101, 102]) {
  const c = await model()
  const s2 = await createOrtStage2Target(c, { unfreezeTopLayers: 30 })
  s2.target.begin(1e-3)
  const b = batch()
  const losses: number[] = []
  for (const seed of seeds) losses.push((await s2.target.trainBatch(b, seed, null, augment)).loss)
  await s2.target.end()
  b.x.dispose()
  b.y.dispose()
  return losses
}

describe('stage 2 on ONNX Runtime with augmentation', () => {
  it('augments every step from its seed: reproducible, and different from unaugmented and other seeds', async () => {
    const augmented = await twoSteps(AUGMENT)
    const again = await twoSteps(AUGMENT)
    const plain = await twoSteps(undefined)
    const otherSeeds = await twoSteps(AUGMENT, [201, 202])
    expect(again).toEqual(augmented)
    // Augmentation moves this batch's loss by ~0.1; float noise between runs is 0.
    expect(Math.abs(augmented[0] - plain[0])).toBeGreaterThan(1e-2)
    expect(Math.abs(augmented[0] - otherSeeds[0])).toBeGreaterThan(1e-3)
  }, 120_000)
})

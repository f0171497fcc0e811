import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { ModelSaliency } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { openBackboneRuntime } from '../../backbone-runtime/backbone-runtime'
import { atomicWrite } from '../../fs/atomic-write'
import { loadModelInput } from '../preprocess/load-model-input'
import type { PreprocessSpec } from '../preprocess/spec'
import type { JobItem } from './job'

/**
 * The saliency layer: MobileNetV2's last 14 × 14 activation at 224 px (576 channels, after ReLU6). At the
 * 7 × 7 out_relu the map cannot localise a lateral finding (6 of 27 hits in the pointing game, issue 13);
 * here, against the training mean, it does (25 of 27; test/unit/inference/gradcam-pointing.test.ts).
 */
export const SALIENCY_LAYER = 'block_13_expand_relu'
/** File of the baseline map inside the model folder. */
export const SALIENCY_BASELINE_FILE = 'saliency-baseline.f32'
/** Training images averaged into the baseline: enough for a stable mean, cheap next to training. */
export const BASELINE_IMAGES = 64

/**
 * The backbone cut at `layer`: input → that layer's feature map. The layers are shared with `backbone`
 * (dispose neither while the other is used). Throws INVALID_ARGUMENT when the backbone has no such layer.
 */
export function backboneUpTo(backbone: tf.LayersModel, layer: string): tf.LayersModel {
  let out: tf.SymbolicTensor
  try {
    out = backbone.getLayer(layer).output as tf.SymbolicTensor
  } catch {
    throw new AppError('INVALID_ARGUMENT', `the backbone has no layer "${layer}" for the saliency map`)
  }
  return tf.model({ inputs: backbone.inputs, outputs: out, name: `${backbone.name}_to_${layer}` })
}

/** `count` indices spread evenly over `n` (all of them when n ≤ count): a deterministic sample. */
function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i)
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count))
}

/**
 * Computes B = the mean `SALIENCY_LAYER` map of up to BASELINE_IMAGES training images through the backbone
 * runtime and writes it into `modelDir` as `SALIENCY_BASELINE_FILE` (h × w × C float32, little-endian).
 * Returns the card's `saliency` field. Throws (the caller logs and keeps Grad-CAM) when the backbone has no
 * such layer or the images do not load.
 */
export async function writeSaliencyBaseline(
  backbone: tf.LayersModel,
  train: readonly JobItem[],
  spec: PreprocessSpec,
  modelDir: string,
  signal?: AbortSignal
): Promise<ModelSaliency> {
  const picked = spread(train.length, BASELINE_IMAGES).map((i) => train[i])
  if (picked.length === 0) throw new AppError('INVALID_ARGUMENT', 'no training images for the saliency baseline')
  const cut = backboneUpTo(backbone, SALIENCY_LAYER)
  const runtime = await openBackboneRuntime(cut, { outputs: ['featureMap'] })
  const s = spec.inputSize
  let sum: Float64Array | null = null
  let shape: [number, number, number] = [0, 0, 0]
  try {
    for (let b = 0; b < picked.length; b += runtime.preferredBatch) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'saliency baseline cancelled')
      const items = picked.slice(b, b + runtime.preferredBatch)
      const xs = await Promise.all(items.map((it) => loadModelInput(it.path, spec, it.frame, it.plane)))
      const input = new Float32Array(xs.length * s * s * 3)
      xs.forEach((x, i) => input.set(x, i * s * s * 3))
      const map = (await runtime.run(input, xs.length)).featureMap
      if (!map) throw new AppError('INTERNAL', 'the backbone runtime returned no feature map')
      const [n, h, w, c] = map.shape
      const per = h * w * c
      if (!sum) {
        sum = new Float64Array(per)
        shape = [h, w, c]
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < per; j++) sum[j] += map.data[i * per + j]
    }
  } finally {
    await runtime.close()
  }
  const mean = Float32Array.from(sum as Float64Array, (v) => v / picked.length)
  fs.mkdirSync(modelDir, { recursive: true })
  atomicWrite(path.join(modelDir, SALIENCY_BASELINE_FILE), Buffer.from(mean.buffer, mean.byteOffset, mean.byteLength))
  return {
    method: 'layercam-baseline',
    layer: SALIENCY_LAYER,
    baselineFile: SALIENCY_BASELINE_FILE,
    baselineImages: picked.length,
    grid: [shape[0], shape[1]],
    channels: shape[2]
  }
}

/**
 * Reads a model folder's baseline map as `[h, w, C]`, checking its size against the card.
 * @throws AppError NOT_FOUND / CORRUPT naming the file.
 */
export function readSaliencyBaseline(modelDir: string, saliency: ModelSaliency): tf.Tensor3D {
  const file = path.join(modelDir, path.basename(saliency.baselineFile))
  let bytes: Buffer
  try {
    bytes = fs.readFileSync(file)
  } catch (err) {
    throw new AppError('NOT_FOUND', `saliency baseline ${file} cannot be read (${(err as Error).message})`)
  }
  const [h, w] = saliency.grid
  const want = h * w * saliency.channels
  if (bytes.byteLength !== want * 4) {
    throw new AppError('CORRUPT', `saliency baseline ${file}: ${bytes.byteLength} bytes, expected ${want} floats`)
  }
  const data = new Float32Array(want)
  Buffer.from(data.buffer).set(bytes)
  return tf.tensor3d(data, [h, w, saliency.channels])
}

import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { sha256OfFiles } from './file-hash'
import { resizeMobileNetV2, truncateAtOutRelu } from './model-surgery'
import type { LoadedBackbone } from './types'

const requireHere = createRequire(__filename)

/** The nsfwjs bundle's model file: a UMD module exporting `{modelTopology, weightsManifest}`. */
interface NsfwjsModelModule {
  modelTopology: { keras_version?: string; backend?: string } & Record<string, unknown>
  weightsManifest: tf.io.WeightsManifestConfig
}

/** The nsfwjs package root, found from its resolved entry point (its `exports` hide the model files). */
function nsfwjsRoot(): { dir: string; version: string } {
  let entry: string
  try {
    entry = requireHere.resolve('nsfwjs')
  } catch (err) {
    throw new AppError(
      'NOT_FOUND',
      `nsfwjs backbone: the nsfwjs npm package is not installed (${(err as Error).message})`
    )
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkgPath = path.join(dir, 'package.json')
    if (!fs.existsSync(pkgPath)) continue
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { name?: string; version?: string }
    if (pkg.name === 'nsfwjs') return { dir, version: pkg.version ?? 'unknown' }
  }
  throw new AppError('NOT_FOUND', `nsfwjs backbone: no package.json of nsfwjs above ${entry}`)
}

/**
 * Loads the MobileNetV2 shipped inside the nsfwjs npm package (`dist/models/mobilenet_v2/model.min.js` and
 * its base64 weight shard `group1-shard1of1.min.js`), truncated at `out_relu`. That network is fixed at
 * 224 px; any other `inputSize` gets a fresh MobileNetV2 with the same weights copied by layer name.
 * The weights expect pixels scaled to [0, 1] (nsfwjs divides by 255). `sha256` covers both files.
 */
export async function loadNsfwjsBackbone(inputSize: number): Promise<LoadedBackbone> {
  const { dir, version } = nsfwjsRoot()
  const modelFile = path.join(dir, 'dist', 'models', 'mobilenet_v2', 'model.min.js')
  const shardFile = path.join(dir, 'dist', 'models', 'mobilenet_v2', 'group1-shard1of1.min.js')
  for (const f of [modelFile, shardFile]) {
    if (!fs.existsSync(f)) throw new AppError('NOT_FOUND', `nsfwjs backbone: ${f} is missing from nsfwjs ${version}`)
  }
  let artifacts: tf.io.ModelArtifacts
  let kerasVersion = 'unknown'
  let quantised = 'float32'
  try {
    const mod = requireHere(modelFile) as NsfwjsModelModule
    const shard = requireHere(shardFile) as unknown
    if (typeof shard !== 'string') throw new Error('the weight shard module did not export a base64 string')
    const bytes = Buffer.from(shard, 'base64')
    const weightSpecs = mod.weightsManifest.flatMap((g) => g.weights)
    kerasVersion = mod.modelTopology.keras_version ?? kerasVersion
    quantised = weightSpecs.find((w) => w.quantization)?.quantization?.dtype ?? 'float32'
    artifacts = {
      modelTopology: mod.modelTopology,
      weightSpecs,
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    }
  } catch (err) {
    throw new AppError('CORRUPT', `nsfwjs backbone: cannot read ${modelFile} / ${shardFile}: ${(err as Error).message}`)
  }
  const what = `nsfwjs ${version} MobileNetV2 (${modelFile})`
  let full: tf.LayersModel
  try {
    full = await tf.loadLayersModel(tf.io.fromMemory(artifacts))
  } catch (err) {
    throw new AppError('CORRUPT', `${what}: tfjs could not build it: ${(err as Error).message}`)
  }
  const model = resizeMobileNetV2(truncateAtOutRelu(full, what), inputSize, what)
  const resized = inputSize === 224 ? '' : `, weights copied by layer name into a ${inputSize} px MobileNetV2`
  return {
    model,
    source: {
      kind: 'nsfwjs',
      description:
        `MobileNetV2 α=1.0 from the nsfwjs ${version} npm package (Keras ${kerasVersion}, ${quantised}-quantised, ` +
        `ImageNet-initialised then fine-tuned on NSFW data by that project), truncated at out_relu${resized}`,
      path: path.dirname(modelFile),
      inputScaling: '[0,1]',
      sha256: await sha256OfFiles([modelFile, shardFile])
    }
  }
}

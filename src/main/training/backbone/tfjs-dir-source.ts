import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { sha256OfFiles } from './file-hash'
import { resizeMobileNetV2, truncateAtOutRelu } from './model-surgery'
import { saveLayersModel } from './save-layers-model'
import type { InputScaling, LoadedBackbone } from './types'

/** Sidecar file beside model.json that records what the weights expect. */
export const BACKBONE_SIDECAR = 'neuropath-backbone.json'

/** Contents of neuropath-backbone.json. */
export interface BackboneSidecar {
  inputScaling: InputScaling
  /** Where the weights came from, carried over from the source they were saved from. */
  description?: string
}

const SHARD_NAME = 'group1-shard1of1.bin'

function readJson(file: string, what: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO'
    throw new AppError(code, `${what}: cannot read ${file}: ${(err as Error).message}`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new AppError('CORRUPT', `${what}: ${file} is not JSON: ${(err as Error).message}`)
  }
}

function readSidecar(dir: string): BackboneSidecar | null {
  const file = path.join(dir, BACKBONE_SIDECAR)
  if (!fs.existsSync(file)) return null
  const json = readJson(file, `tfjs backbone ${dir}`) as Partial<BackboneSidecar>
  if (json.inputScaling !== '[-1,1]' && json.inputScaling !== '[0,1]') {
    throw new AppError(
      'CORRUPT',
      `tfjs backbone ${dir}: ${BACKBONE_SIDECAR} has inputScaling ${String(json.inputScaling)}, expected '[-1,1]' or '[0,1]'`
    )
  }
  return {
    inputScaling: json.inputScaling,
    description: typeof json.description === 'string' ? json.description : undefined
  }
}

/**
 * Reads a tfjs layers-model directory (model.json + weight shards) into ModelArtifacts with plain file
 * reads: @tensorflow/tfjs has no file:// handler without tfjs-node. Returns the files read, in order.
 */
export function readTfjsModelDir(dir: string): {
  artifacts: tf.io.ModelArtifacts
  files: string[]
  generatedBy?: string
} {
  const what = `tfjs backbone ${dir}`
  const modelFile = path.join(dir, 'model.json')
  const json = readJson(modelFile, what) as Partial<tf.io.ModelJSON>
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new AppError(
      'CORRUPT',
      `${what}: model.json lacks modelTopology or weightsManifest, so it is not a tfjs layers model`
    )
  }
  const files = [modelFile]
  const buffers: Buffer[] = []
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      const shard = path.resolve(dir, p)
      if (path.relative(dir, shard).startsWith('..')) {
        throw new AppError('CORRUPT', `${what}: weight shard path "${p}" points outside the directory`)
      }
      try {
        buffers.push(fs.readFileSync(shard))
      } catch (err) {
        throw new AppError('NOT_FOUND', `${what}: weight shard ${shard}: ${(err as Error).message}`)
      }
      files.push(shard)
    }
  }
  const all = Buffer.concat(buffers)
  return {
    artifacts: {
      modelTopology: json.modelTopology,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)
    },
    files,
    generatedBy: json.generatedBy
  }
}

/**
 * Loads a Keras-named MobileNetV2 saved as a tfjs layers-model directory, truncated at `out_relu` and
 * rebuilt at `inputSize` when saved at another size. Input scaling comes from neuropath-backbone.json
 * beside model.json, else '[-1,1]' (the Keras convention). `sha256` covers model.json and the shards.
 */
export async function loadTfjsDirBackbone(dir: string, inputSize: number): Promise<LoadedBackbone> {
  const abs = path.resolve(dir)
  const what = `tfjs backbone ${abs}`
  const { artifacts, files, generatedBy } = readTfjsModelDir(abs)
  const sidecar = readSidecar(abs)
  let loaded: tf.LayersModel
  try {
    loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts))
  } catch (err) {
    throw new AppError('CORRUPT', `${what}: tfjs could not build the model: ${(err as Error).message}`)
  }
  const model = resizeMobileNetV2(truncateAtOutRelu(loaded, what), inputSize, what)
  const origin = sidecar?.description ? `; origin: ${sidecar.description}` : ''
  return {
    model,
    source: {
      kind: 'tfjs-dir',
      description:
        `MobileNetV2 from the tfjs layers-model directory ${abs} (${generatedBy ?? 'generator unknown'})${origin}, ` +
        `loaded at ${inputSize} px up to out_relu`,
      path: abs,
      inputScaling: sidecar?.inputScaling ?? '[-1,1]',
      sha256: await sha256OfFiles(files)
    }
  }
}

/**
 * Saves a backbone as a tfjs layers-model directory: model.json, one weight shard group1-shard1of1.bin
 * (float32, little-endian) and neuropath-backbone.json with its input scaling and origin. Creates `dir`.
 */
export async function saveTfjsDirBackbone(model: tf.LayersModel, dir: string, sidecar: BackboneSidecar): Promise<void> {
  const write = (file: string, data: Buffer | string): void => {
    try {
      fs.writeFileSync(file, data)
    } catch (err) {
      throw new AppError('IO', `cannot save tfjs backbone to ${dir}: ${(err as Error).message}`)
    }
  }
  await saveLayersModel(model, dir, SHARD_NAME, write)
  write(path.join(dir, BACKBONE_SIDECAR), JSON.stringify(sidecar, null, 2))
}

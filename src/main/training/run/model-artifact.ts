import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { BackboneInfo, Evaluation, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { readTfjsModelDir } from '../backbone/tfjs-dir-source'
import type { PreprocessSpec } from '../preprocess/spec'
import { atomicWrite } from './weights-file'

/** File name of the model card inside a model folder. */
export const MODEL_CARD = 'neuropath.json'

/**
 * `neuropath.json`: what a model folder needs to be used and trusted later. Inference reuses
 * `preprocessing` unchanged; `classNames[i]` is output unit i.
 */
export interface ModelCard {
  format: 'neuropath-model'
  version: 1
  classNames: string[]
  preprocessing: PreprocessSpec
  inputSize: number
  backbone: BackboneInfo
  config: TrainingConfig
  dataset: { id: number; name: string; versionId: number; fingerprint: string | null }
  /** Which stages shaped the saved weights, and the backend they ran on. */
  training: { stage1Epochs: number; stage2Epochs: number; backend: string; finishedAt: string }
  metrics: {
    bestValAccuracy: number | null
    test: Pick<Evaluation, 'accuracy' | 'macroF1' | 'weightedF1' | 'ece' | 'n'> | null
  }
  /** Name of the backbone's last convolutional block output (for Grad-CAM). */
  featureLayer: string
}

/** Saves a full model (input → probabilities) as a tfjs layers-model folder plus its model card. */
export async function saveModelArtifact(model: tf.LayersModel, dir: string, card: ModelCard): Promise<void> {
  fs.mkdirSync(dir, { recursive: true })
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData
      const bytes = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data)
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }]
      }
      atomicWrite(path.join(dir, 'weights.bin'), Buffer.from(bytes))
      atomicWrite(path.join(dir, 'model.json'), JSON.stringify(modelJson))
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: bytes.byteLength }
      }
    })
  )
  atomicWrite(path.join(dir, MODEL_CARD), JSON.stringify(card, null, 2))
}

/** Reads a model card, checking it is one. */
export function readModelCard(dir: string): ModelCard {
  const file = path.join(dir, MODEL_CARD)
  let card: ModelCard
  try {
    card = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelCard
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'CORRUPT'
    throw new AppError(
      code,
      `${dir} is not a NeuroPath model folder: ${MODEL_CARD} cannot be read (${(err as Error).message})`
    )
  }
  if (card.format !== 'neuropath-model' || !Array.isArray(card.classNames) || !card.preprocessing) {
    throw new AppError('CORRUPT', `${file} is not a NeuroPath model card`)
  }
  return card
}

/** Loads a model folder: the tfjs model and its card. */
export async function loadModelArtifact(dir: string): Promise<{ model: tf.LayersModel; card: ModelCard }> {
  const card = readModelCard(dir)
  const { artifacts } = readTfjsModelDir(dir)
  try {
    return { model: await tf.loadLayersModel(tf.io.fromMemory(artifacts)), card }
  } catch (err) {
    throw new AppError('CORRUPT', `model ${dir} does not load: ${(err as Error).message}`)
  }
}

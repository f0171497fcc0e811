import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type {
  BackboneInfo,
  Evaluation,
  LearningVerdict,
  ModelOrigin,
  ModelSaliency,
  StageBackends,
  TrainingConfig
} from '../../../shared/contract'
import type { OnnxEncoderDeclaration } from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'
import { saveLayersModel } from '../backbone/save-layers-model'
import { readTfjsModelDir } from '../backbone/tfjs-dir-source'
import type { PreprocessSpec } from '../preprocess/spec'
import { atomicWrite } from '../../fs/atomic-write'
import type { OnnxModelInfo } from '../../onnx/model-onnx-file'

// One definition of both, in the contract: the run record shows them too.
export type { ModelOrigin, StageBackends } from '../../../shared/contract'

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
  training: {
    stage1Epochs: number
    stage2Epochs: number
    /** The tfjs backend the engine selected (cards before per-stage backends have only this). */
    backend: string
    /** The engine each stage actually trained on; absent in cards written before it existed. */
    stageBackends?: StageBackends
    /** Where the saved weights come from; absent in cards written before it existed. */
    origin?: ModelOrigin
    finishedAt: string
  }
  metrics: {
    bestValAccuracy: number | null
    /** The final evaluation; measured on `evaluationSplit` (validation when the version had no test split). */
    test: Pick<Evaluation, 'accuracy' | 'macroF1' | 'weightedF1' | 'ece' | 'n'> | null
    /** Written by the host when the run ends; absent in cards from before #13 (then the split is unknown). */
    evaluationSplit?: 'test' | 'val' | null
  }
  /** The learning verdict, written by the host when the run ends (absent before #13). */
  learning?: LearningVerdict
  /** Name of the backbone's last convolutional block output (for Grad-CAM). */
  featureLayer: string
  /**
   * The saliency baseline (training/job/saliency-baseline.ts): classification then maps LayerCAM against the
   * training-mean map at `saliency.layer`. Absent in cards from before issue 13, after a cancelled run, or
   * when computing it failed (the run's log says why): Grad-CAM at featureLayer.
   */
  saliency?: ModelSaliency
  /** model.onnx beside model.json: its input, output and exact preprocessing (absent in cards from before #11). */
  onnx?: OnnxModelInfo
  /**
   * Runs on your own ONNX encoder (issue 17): the frozen encoder the head was trained on. model.json then
   * holds the head only (input: the pooled embedding), and `featureLayer` is empty (no saliency layer).
   */
  encoder?: ModelEncoder
}

/** The ONNX encoder of a model folder: what it is and where its weights are. */
export interface ModelEncoder {
  fileName: string
  /** SHA-256 (hex) of the encoder file. */
  sha256: string
  /** File size, bytes. */
  bytes: number
  /** Resolved against the graph: input size (px), layout, channel order, mean/std on [0, 1] RGB, output, pooling. */
  declaration: OnnxEncoderDeclaration
  /** Embedding width after pooling = the head's input width. */
  featureDim: number
  /**
   * The encoder inside the model folder, relative to it ('encoder/<fileName>'): a hard link to the workspace
   * copy where the file system allows, else a copy, so a copied model folder still classifies.
   */
  file: string
}

/** Saves a full model (input → probabilities) as a tfjs layers-model folder plus its model card. */
export async function saveModelArtifact(model: tf.LayersModel, dir: string, card: ModelCard): Promise<void> {
  await saveLayersModel(model, dir, 'weights.bin', atomicWrite)
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

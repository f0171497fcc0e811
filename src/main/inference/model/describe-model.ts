import fs from 'node:fs'
import path from 'node:path'
import type { InferenceModelInfo } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { readModelCard } from '../../training/run/model-artifact'

/**
 * What a job needs to know about a model folder, from its card (neuropath.json), checked before an engine is
 * started: classes, input size, backbone, the Grad-CAM layer. `run` names the training run it came from.
 * @throws AppError NOT_FOUND / CORRUPT naming the folder and what is missing.
 */
export function describeModelDir(modelDir: string, run?: { id: number; name: string }): InferenceModelInfo {
  const dir = path.resolve(modelDir)
  const card = readModelCard(dir)
  for (const f of ['model.json', 'weights.bin']) {
    if (!fs.existsSync(path.join(dir, f))) throw new AppError('NOT_FOUND', `model folder ${dir} has no ${f}`)
  }
  if (typeof card.featureLayer !== 'string' || !card.featureLayer) {
    throw new AppError('CORRUPT', `model folder ${dir}: neuropath.json names no featureLayer for Grad-CAM`)
  }
  return {
    modelDir: dir,
    runId: run?.id ?? null,
    // A run's model lives in models/run-N/model: the folder above names it better.
    name: run?.name ?? path.basename(path.basename(dir) === 'model' ? path.dirname(dir) : dir),
    classNames: card.classNames,
    inputSize: card.preprocessing.inputSize,
    backbone: card.backbone?.description ?? card.backbone?.kind ?? 'unknown',
    featureLayer: card.featureLayer,
    datasetName: card.dataset?.name ?? null,
    testAccuracy: card.metrics?.test?.accuracy ?? null
  }
}

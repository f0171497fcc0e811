import fs from 'node:fs'
import path from 'node:path'
import type { InferenceModelInfo, LearningVerdict } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { readModelCard } from '../../training/job/model-artifact'

/**
 * What a job needs to know about a model folder, from its card (neuropath.json), checked before an engine is
 * started: classes, input size, backbone, the Grad-CAM layer, the evaluation (with its split) and the learning
 * verdict. `run` is the training run it came from, whose catalog record is the truth for split and verdict.
 * @throws AppError NOT_FOUND / CORRUPT naming the folder and what is missing.
 */
export function describeModelDir(
  modelDir: string,
  run?: { id: number; name: string; verdict: LearningVerdict | null; evaluationSplit: 'test' | 'val' | null }
): InferenceModelInfo {
  const dir = path.resolve(modelDir)
  const card = readModelCard(dir)
  for (const f of ['model.json', 'weights.bin']) {
    if (!fs.existsSync(path.join(dir, f))) throw new AppError('NOT_FOUND', `model folder ${dir} has no ${f}`)
  }
  // A model on an ONNX encoder has no Grad-CAM layer (featureLayer ''): it classifies without maps.
  if (typeof card.featureLayer !== 'string' || (!card.featureLayer && !card.encoder)) {
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
    ...(card.saliency ? { saliency: card.saliency } : {}),
    datasetName: card.dataset?.name ?? null,
    evaluation:
      typeof card.metrics?.test?.accuracy === 'number'
        ? { split: run?.evaluationSplit ?? card.metrics.evaluationSplit ?? null, accuracy: card.metrics.test.accuracy }
        : null,
    // The catalog's verdict for a run of this workspace; the card's (written when the run ended) for a folder.
    verdict: run?.verdict ?? card.learning ?? null
  }
}

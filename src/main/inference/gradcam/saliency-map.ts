import type { InferenceModelInfo, SaliencyMap, SaliencyMethod } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { StoredResult } from '../store/inference-store'

/**
 * Which method made a stored map: LayerCAM against the training mean when the model's card has a saliency
 * baseline and the stored grid is that layer's grid (a job that fell back to Grad-CAM stored the coarser
 * featureLayer grid), else Grad-CAM at card.featureLayer. Without the model's description: Grad-CAM on a
 * layer not recorded.
 */
export function storedMethod(
  r: Pick<StoredResult, 'camWidth' | 'camHeight'>,
  model?: Pick<InferenceModelInfo, 'featureLayer' | 'saliency'>
): SaliencyMethod {
  const s = model?.saliency
  if (s && r.camHeight === s.grid[0] && r.camWidth === s.grid[1]) return { kind: 'layercam-baseline', layer: s.layer }
  return { kind: 'gradcam', layer: model?.featureLayer ?? 'unknown' }
}

/**
 * The saliency map of a stored result for class `classIndex` (default: the predicted class), normalised to
 * [0, 1] by its maximum. Only the grid is sent (a few dozen values): the viewer upsamples it over the whole
 * image geometry (the model saw the whole image stretched to a square, so grid cell (i, j) covers the same
 * fraction of the image).
 * @throws AppError NOT_FOUND when the job stored no maps; INVALID_ARGUMENT for a class the model lacks.
 */
export function saliencyMap(
  r: StoredResult,
  classNames: readonly string[],
  classIndex?: number,
  model?: Pick<InferenceModelInfo, 'featureLayer' | 'saliency'>
): SaliencyMap {
  const k = classNames.length
  const c = classIndex ?? r.predictedIndex
  if (!Number.isInteger(c) || c < 0 || c >= k) {
    throw new AppError('INVALID_ARGUMENT', `class ${c} does not exist: the model has ${k} classes (0–${k - 1})`)
  }
  if (!r.cam || !r.camScale || r.camWidth < 1 || r.camHeight < 1) {
    throw new AppError(
      'NOT_FOUND',
      `${r.path} frame ${r.frame}: this job stored no Grad-CAM maps (it ran with saliency off)`
    )
  }
  const hw = r.camWidth * r.camHeight
  if (r.cam.length !== k * hw || r.camScale.length !== k) {
    throw new AppError(
      'CORRUPT',
      `${r.path} frame ${r.frame}: stored Grad-CAM has ${r.cam.length} values, expected ${k} × ${hw}`
    )
  }
  const grid = new Float32Array(hw)
  for (let i = 0; i < hw; i++) grid[i] = r.cam[c * hw + i] / 255
  return {
    resultId: r.id,
    path: r.path,
    frame: r.frame,
    classIndex: c,
    className: classNames[c],
    probability: r.probabilities[c],
    width: r.width,
    height: r.height,
    gridWidth: r.camWidth,
    gridHeight: r.camHeight,
    grid,
    strength: r.camScale[c],
    method: storedMethod(r, model)
  }
}

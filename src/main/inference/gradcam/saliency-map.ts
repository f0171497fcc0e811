import type { SaliencyMap } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { StoredResult } from '../store/inference-store'
import { mapGeometry, upsampleBilinear } from './upsample'

/**
 * The Grad-CAM map of a stored result for class `classIndex` (default: the predicted class), normalised to
 * [0, 1] by its maximum and upsampled bilinearly over the whole image geometry (the model saw the whole image
 * stretched to a square, so grid cell (i, j) covers the same fraction of the image).
 * @throws AppError NOT_FOUND when the job stored no maps; INVALID_ARGUMENT for a class the model lacks.
 */
export function saliencyMap(r: StoredResult, classNames: readonly string[], classIndex?: number): SaliencyMap {
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
  const { width: mapWidth, height: mapHeight } = mapGeometry(r.width, r.height)
  const up = upsampleBilinear(grid, r.camWidth, r.camHeight, mapWidth, mapHeight)
  const heatmap = new Uint8Array(up.length)
  for (let i = 0; i < up.length; i++) heatmap[i] = Math.round(Math.min(1, Math.max(0, up[i])) * 255)
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
    heatmap,
    mapWidth,
    mapHeight
  }
}

import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { NamedWeights } from '../loop/weights'
import type { ModelOrigin } from './model-artifact'
import { bestCheckpointName } from './stage-events'
import { readWeightsFile } from './weights-file'

/** Writes named weights into the model's variables of the same name (a checkpoint may hold a subset). */
export function writeByName(model: tf.LayersModel, weights: NamedWeights, what: string): void {
  const vars = new Map(model.weights.map((v) => [v.originalName, v]))
  for (const w of weights) {
    const v = vars.get(w.name)
    if (!v || v.shape.reduce<number>((a, b) => a * (b ?? 1), 1) !== w.values.length) {
      throw new AppError('CORRUPT', `${what}: weight "${w.name}" does not fit model "${model.name}"`)
    }
    const t = tf.tensor(w.values, v.shape as number[], 'float32')
    v.write(t)
    t.dispose()
  }
}

/**
 * After a cancel: puts the best weights the run has into `model` and says where they come from: stage 2's
 * best checkpoint when it has one, else stage 1's (with the backbone's unfrozen top reset to `beforeStage2`,
 * the weights it had when stage 2 began, because a part-trained top does not belong to stage 1's head).
 * Returns null when neither stage saved a checkpoint.
 */
export function keepBestAfterCancel(
  model: tf.LayersModel,
  modelDir: string,
  beforeStage2: NamedWeights | null
): ModelOrigin | null {
  const dir = path.join(modelDir, 'checkpoints')
  const has = (stage: 1 | 2) => fs.existsSync(path.join(dir, `${bestCheckpointName(stage)}.json`))
  for (const stage of [2, 1] as const) {
    if (!has(stage)) continue
    if (stage === 1 && beforeStage2) writeByName(model, beforeStage2, 'weights from before stage 2')
    writeByName(model, readWeightsFile(dir, bestCheckpointName(stage)), `stage ${stage} best checkpoint`)
    return { stage, weights: 'best-checkpoint' }
  }
  return null
}

import { DEFAULT_UNFROZEN_TOP_LAYERS } from '../head/freeze'
import type { TrainingCallback } from './callback'
import { EarlyStopping } from './early-stopping'
import { ModelCheckpoint, type SaveCheckpoint } from './model-checkpoint'
import { ReduceLROnPlateau } from './reduce-lr-on-plateau'

/** The seed project's two stages: learning rate, epochs and (stage 2) base layers unfrozen from the top. */
export const RECIPE = {
  batchSize: 32,
  stage1: { learningRate: 1e-3, epochs: 20 },
  stage2: { learningRate: 1e-4, epochs: 30, trainableTopLayers: DEFAULT_UNFROZEN_TOP_LAYERS }
} as const

/**
 * The recipe's callbacks, fresh for one stage: EarlyStopping(val_loss, patience 10, restore best),
 * ReduceLROnPlateau(val_loss, ×0.5, patience 5, min 1e-7) and, when `saveCheckpoint` is given,
 * ModelCheckpoint(best val_accuracy).
 */
export function recipeCallbacks(saveCheckpoint?: SaveCheckpoint): TrainingCallback[] {
  const cbs: TrainingCallback[] = [new EarlyStopping(), new ReduceLROnPlateau()]
  if (saveCheckpoint) cbs.push(new ModelCheckpoint({ saveCheckpoint }))
  return cbs
}

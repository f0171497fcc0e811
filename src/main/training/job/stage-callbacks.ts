import type { TrainingConfig } from '../../../shared/contract'
import type { TrainingCallback } from '../loop/callback'
import { EarlyStopping } from '../loop/early-stopping'
import { ModelCheckpoint, type SaveCheckpoint } from '../loop/model-checkpoint'
import { ReduceLROnPlateau } from '../loop/reduce-lr-on-plateau'

/** The configured callbacks for one stage: early stopping, LR on plateau, and the best-val_accuracy checkpoint. */
export function stageCallbacks(config: TrainingConfig, save: SaveCheckpoint): TrainingCallback[] {
  const cbs: TrainingCallback[] = []
  if (config.earlyStopping.enabled) {
    cbs.push(
      new EarlyStopping({ monitor: 'val_loss', patience: config.earlyStopping.patience, restoreBestWeights: true })
    )
  }
  if (config.reduceLrOnPlateau.enabled) {
    const r = config.reduceLrOnPlateau
    cbs.push(new ReduceLROnPlateau({ monitor: 'val_loss', factor: r.factor, patience: r.patience, minLr: r.minLr }))
  }
  cbs.push(new ModelCheckpoint({ monitor: 'val_accuracy', saveCheckpoint: save }))
  return cbs
}

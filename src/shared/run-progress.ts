/**
 * Fraction of a training stage done, in [0, 1], from the epoch in progress and the batches done in it; null
 * before the stage's first batch (progress is then unknown, not 0 % and never the previous stage's 100 %).
 *
 * @param stageEpochs epochs the stage is configured to run (early stopping may end it sooner)
 * @param epoch 0-based epoch in progress within the stage
 * @param batchesDone batches finished in that epoch
 * @param batches batches per epoch
 */
export function stageFraction(stageEpochs: number, epoch: number, batchesDone: number, batches: number): number | null {
  if (stageEpochs <= 0 || batches <= 0) return null
  return Math.min(1, Math.max(0, (epoch + batchesDone / batches) / stageEpochs))
}

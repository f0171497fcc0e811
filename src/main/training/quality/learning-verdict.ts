import type { EpochMetrics, Evaluation, LearningVerdict } from '../../../shared/contract'

/** "A few points": the least distance from chance that counts as having learned something. */
const MIN_MARGIN = 0.05
/** Training accuracy this far above the judged accuracy (absolute, 0–1) is overfitting. */
const OVERFIT_GAP = 0.25

/**
 * Judges whether a finished run learned anything, from its epoch history and its final evaluation (the saved
 * model measured on the test split, or on validation when there is none). Pure: the host calls it when a run
 * ends and stores the result with the run.
 *
 * - Chance is the accuracy of always guessing: max(1/K, the majority class's share of the judged split).
 * - "Did not learn": the judged accuracy is within max(5 points, 1.5 binomial standard errors at n) of chance.
 * - "Overfit": the training accuracy of the saved epoch is 25 points or more above the judged accuracy.
 */
export function learningVerdict(
  epochs: readonly EpochMetrics[],
  evaluation: Evaluation | null,
  classCount: number
): LearningVerdict {
  const withVal = epochs.filter((e) => e.valAccuracy !== null)
  // The checkpoint keeps the best validation epoch (the last one on ties): its training accuracy is the fair match.
  const saved = withVal.reduce<EpochMetrics | null>(
    (best, e) => (best === null || (e.valAccuracy as number) >= (best.valAccuracy as number) ? e : best),
    null
  )
  const trainAccuracy = saved?.accuracy ?? epochs.at(-1)?.accuracy ?? null
  const split = evaluation?.split ?? (saved ? 'val' : null)
  const accuracy = evaluation?.accuracy ?? saved?.valAccuracy ?? null
  const n = evaluation?.n ?? null
  const k = Math.max(2, evaluation?.classNames.length ?? classCount)
  const supports = evaluation?.confusion.map((row) => row.reduce((a, b) => a + b, 0)) ?? []
  const total = supports.reduce((a, b) => a + b, 0)
  const chance = Math.max(1 / k, total > 0 ? Math.max(...supports) / total : 0)
  if (accuracy === null || split === null) {
    return {
      kind: 'unknown',
      split: null,
      accuracy: null,
      chance,
      trainAccuracy,
      summary: 'not judged: the run has no validation or test figures',
      cause: ''
    }
  }
  const splitName = split === 'test' ? 'test' : 'validation'
  const margin = Math.max(MIN_MARGIN, n ? 1.5 * Math.sqrt((chance * (1 - chance)) / n) : 0)
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`
  const base = { split, accuracy, chance, trainAccuracy }
  if (accuracy <= chance + margin) {
    const memorised = trainAccuracy !== null && trainAccuracy >= chance + 0.3
    return {
      ...base,
      kind: 'did-not-learn',
      summary: `did not learn: ${splitName} accuracy ${pct(accuracy)} is within ${(margin * 100).toFixed(1)} points of chance (${pct(chance)})`,
      cause: memorised
        ? `Training accuracy reached ${pct(trainAccuracy)} while ${splitName} accuracy stayed at chance: the head memorised the training images, or it behaves differently at inference (for example BatchNorm moving statistics that were never updated), or the labels do not follow anything visible in the images. Do not use this model.`
        : `Training accuracy also stayed near chance (${trainAccuracy === null ? 'unknown' : pct(trainAccuracy)}): the learning rate may be too low or too high, there may be too few epochs or images, the backbone's features may not separate these classes, or the labels may not follow the images. Do not use this model.`
    }
  }
  if (trainAccuracy !== null && trainAccuracy - accuracy >= OVERFIT_GAP) {
    return {
      ...base,
      kind: 'overfit',
      summary: `overfit: ${splitName} accuracy ${pct(accuracy)} is far below training accuracy ${pct(trainAccuracy)}`,
      cause:
        'The model fits the training images much better than new ones: too few training images for its capacity, too many epochs, or a split where training and validation images differ (site, scanner, patient). Add images, raise augmentation or dropout, unfreeze fewer layers, or stop earlier.'
    }
  }
  return {
    ...base,
    kind: 'learned',
    summary: `learned: ${splitName} accuracy ${pct(accuracy)} against chance ${pct(chance)}`,
    cause: ''
  }
}

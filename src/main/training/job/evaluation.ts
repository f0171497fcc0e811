import type { Evaluation } from '../../../shared/contract'
import type { Predictions } from '../loop/evaluate-source'
import { bootstrapIntervals } from '../../evidence/bootstrap'
import { evaluatePredictions } from '../metrics/evaluate'
import type { JobItem } from './job'

/**
 * Turns predictions on a split into the stored Evaluation, with the most confident mistakes listed and 95 %
 * bootstrap intervals (1,000 resamples, by patient when the items carry a PatientID).
 */
export function toEvaluation(
  split: Evaluation['split'],
  preds: Predictions,
  items: readonly JobItem[],
  classNames: string[],
  opts: { seed?: number; resamples?: number } = {}
): Evaluation {
  const k = classNames.length
  const r = evaluatePredictions(preds.probs, preds.labels, k)
  const misclassified: Evaluation['misclassified'] = []
  for (let row = 0; row < preds.labels.length; row++) {
    let best = 0
    for (let c = 1; c < k; c++) if (preds.probs[row * k + c] > preds.probs[row * k + best]) best = c
    if (best === preds.labels[row]) continue
    const item = items[preds.indices[row]]
    misclassified.push({
      itemId: item.itemId,
      path: item.path,
      frame: item.frame,
      trueClass: classNames[preds.labels[row]],
      predicted: classNames[best],
      confidence: preds.probs[row * k + best]
    })
  }
  misclassified.sort((a, b) => b.confidence - a.confidence)
  return {
    split,
    classNames,
    n: r.numSamples,
    accuracy: r.accuracy,
    macroF1: r.macro.f1,
    weightedF1: r.weighted.f1,
    perClass: r.perClass.map((c, i) => ({ name: classNames[i], ...c })),
    confusion: r.confusion,
    roc: r.roc.map((c, i) => ({ name: classNames[i], auc: c.auc, fpr: c.fpr, tpr: c.tpr })),
    macroAuc: r.macroAuc,
    ece: r.calibration.ece,
    reliability: r.calibration.bins,
    misclassified: misclassified.slice(0, 200),
    predictions: {
      itemIds: Array.from(preds.indices, (i) => items[i].itemId),
      // Six decimals keep the stored JSON small; far finer than any metric or ranking needs.
      probs: Array.from(preds.probs, (p) => Math.round(p * 1e6) / 1e6)
    },
    intervals: bootstrapIntervals(preds.probs, preds.labels, k, {
      seed: opts.seed ?? 0,
      resamples: opts.resamples,
      groups: Array.from(preds.indices, (i) => items[i].patientId ?? null)
    })
  }
}

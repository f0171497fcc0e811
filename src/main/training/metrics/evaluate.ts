import { calibration, type Calibration } from './calibration'
import { classificationReport, type ClassificationReport } from './classification-report'
import { checkPredictions, predictedClasses } from './predictions'
import { oneVsRestRoc, type RocCurve } from './roc'

/** Everything the evaluation screen shows for one model on one split. */
export interface EvaluationReport extends ClassificationReport {
  numSamples: number
  numClasses: number
  roc: RocCurve[]
  /** Mean one-vs-rest AUC over classes that have both positives and negatives. */
  macroAuc: number | null
  calibration: Calibration
}

/**
 * Full evaluation from `rows × numClasses` probabilities (row-major) and true labels: accuracy,
 * per-class precision/recall/F1/support, macro and weighted averages, confusion matrix,
 * one-vs-rest ROC/AUC and calibration (ECE over `bins` reliability bins, default 10).
 */
export function evaluatePredictions(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  bins = 10
): EvaluationReport {
  checkPredictions(probs, labels, numClasses, 'evaluatePredictions')
  const report = classificationReport(labels, predictedClasses(probs, numClasses), numClasses)
  const roc = oneVsRestRoc(probs, labels, numClasses)
  return {
    ...report,
    numSamples: labels.length,
    numClasses,
    roc: roc.perClass,
    macroAuc: roc.macroAuc,
    calibration: calibration(probs, labels, numClasses, bins)
  }
}

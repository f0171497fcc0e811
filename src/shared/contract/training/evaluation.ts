import type { MetricIntervals } from '../evidence'

/** Evaluation on the test split, stored with the run. */
export interface Evaluation {
  split: 'test' | 'val'
  classNames: string[]
  n: number
  accuracy: number
  macroF1: number
  weightedF1: number
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[]
  /** confusion[true][predicted] counts. */
  confusion: number[][]
  /** One-vs-rest ROC per class: false/true positive rates and AUC. */
  roc: { name: string; auc: number | null; fpr: number[]; tpr: number[] }[]
  /** Expected calibration error over `bins` equal-width confidence bins. */
  ece: number
  /** Equal-width confidence bins; confidence and accuracy are null for empty bins. */
  reliability: { lower: number; upper: number; count: number; confidence: number | null; accuracy: number | null }[]
  /** Mean one-vs-rest AUC over classes with positives and negatives. */
  macroAuc: number | null
  /** Misclassified test images (at most 200), most confident first. */
  misclassified: {
    itemId: number
    path: string
    frame: number
    trueClass: string
    predicted: string
    confidence: number
  }[]
  /** 95 % bootstrap intervals of the metrics above; absent in evaluations stored before they existed. */
  intervals?: MetricIntervals | null
  /**
   * Every evaluated item's probabilities (`itemIds.length × classNames.length`, row-major, class order): what
   * cross-validation pools into out-of-fold predictions. Absent in evaluations stored before it existed.
   */
  predictions?: { itemIds: number[]; probs: number[] }
}

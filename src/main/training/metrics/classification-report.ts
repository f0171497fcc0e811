import { confusionMatrix } from './confusion-matrix'

/** Scores of one class, as in scikit-learn's classification_report. */
export interface ClassScores {
  /** TP / (TP + FP); 0 when nothing was predicted as this class (zero_division=0). */
  precision: number
  /** TP / (TP + FN); 0 when the class has no samples. */
  recall: number
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number
  /** Number of true samples of the class. */
  support: number
}

/** Per-class scores and their macro (unweighted) and support-weighted averages. */
export interface ClassificationReport {
  accuracy: number
  perClass: ClassScores[]
  macro: Omit<ClassScores, 'support'>
  weighted: Omit<ClassScores, 'support'>
  /** `confusion[true][predicted]` counts. */
  confusion: number[][]
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b)

/** Precision, recall, F1 and support per class from true and predicted class indices. */
export function classificationReport(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses: number
): ClassificationReport {
  const confusion = confusionMatrix(labels, predicted, numClasses)
  const n = labels.length
  let correct = 0
  const perClass: ClassScores[] = []
  for (let k = 0; k < numClasses; k++) {
    const tp = confusion[k][k]
    correct += tp
    let predictedK = 0
    for (let t = 0; t < numClasses; t++) predictedK += confusion[t][k]
    const support = confusion[k].reduce((a, b) => a + b, 0)
    const precision = ratio(tp, predictedK)
    const recall = ratio(tp, support)
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support })
  }
  const average = (weight: (s: ClassScores) => number): Omit<ClassScores, 'support'> => {
    const total = perClass.reduce((a, s) => a + weight(s), 0)
    const mean = (f: (s: ClassScores) => number): number =>
      ratio(
        perClass.reduce((a, s) => a + weight(s) * f(s), 0),
        total
      )
    return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) }
  }
  return {
    accuracy: ratio(correct, n),
    perClass,
    macro: average(() => 1),
    weighted: average((s) => s.support),
    confusion
  }
}

import { describe, expect, it } from 'vitest'
import type { EpochMetrics, Evaluation } from '../../../src/shared/contract'
import { isFlaggedVerdict } from '../../../src/shared/contract'
import { learningVerdict } from '../../../src/main/training/quality/learning-verdict'

const epoch = (epoch: number, accuracy: number, valAccuracy: number | null, stage: 1 | 2 = 1): EpochMetrics => ({
  stage,
  epoch,
  loss: 1,
  accuracy,
  valLoss: 1,
  valAccuracy,
  lr: 1e-3,
  seconds: 1
})

/** An evaluation whose confusion matrix has `supports[i]` true members of class i, `correct[i]` of them right. */
function evaluation(split: 'test' | 'val', supports: number[], correct: number[]): Evaluation {
  const k = supports.length
  const confusion = supports.map((n, i) =>
    supports.map((_, j) => (i === j ? correct[i] : j === (i + 1) % k ? n - correct[i] : 0))
  )
  const n = supports.reduce((a, b) => a + b, 0)
  return {
    split,
    classNames: supports.map((_, i) => `c${i}`),
    n,
    accuracy: correct.reduce((a, b) => a + b, 0) / n,
    macroF1: 0,
    weightedF1: 0,
    perClass: [],
    confusion,
    roc: [],
    ece: 0,
    reliability: [],
    macroAuc: null,
    misclassified: []
  }
}

describe('learning verdict', () => {
  it('flags the issue #13 case: 100 % training accuracy, validation and test at chance (3 classes)', () => {
    const epochs = Array.from({ length: 10 }, (_, i) => epoch(i, i < 2 ? 0.6 : 1, 0.333))
    const v = learningVerdict(epochs, evaluation('test', [10, 10, 10], [10, 0, 0]), 3)
    expect(v.kind).toBe('did-not-learn')
    expect(v.split).toBe('test')
    expect(v.chance).toBeCloseTo(1 / 3)
    expect(v.summary).toMatch(/did not learn: test accuracy 33\.3 %/)
    expect(v.cause).toMatch(/memorised|BatchNorm/)
    expect(isFlaggedVerdict(v)).toBe(true)
  })

  it('uses the majority-class rate as chance when it is above 1/K', () => {
    // 80 % of the split is class 0: always answering class 0 gives 80 %; 82 % is not learning.
    const v = learningVerdict([epoch(0, 0.83, 0.82)], evaluation('val', [40, 10], [40, 1]), 2)
    expect(v.chance).toBeCloseTo(0.8)
    expect(v.kind).toBe('did-not-learn')
    expect(v.split).toBe('val')
    expect(v.summary).toContain('validation accuracy')
    expect(v.summary).not.toContain('test')
    expect(v.cause).toMatch(/also stayed near chance/)
  })

  it('calls a run overfit when validation is far below training accuracy', () => {
    const v = learningVerdict(
      [epoch(0, 0.7, 0.6), epoch(1, 0.99, 0.66), epoch(2, 1, 0.64)],
      evaluation('test', [20, 20, 20], [14, 13, 13]),
      3
    )
    expect(v.kind).toBe('overfit')
    // The saved epoch is the best-validation one (epoch 1): its training accuracy is the one compared.
    expect(v.trainAccuracy).toBe(0.99)
    expect(v.cause).toMatch(/augmentation|fewer|more images|Add images/i)
    expect(isFlaggedVerdict(v)).toBe(true)
  })

  it('passes a run that learned, and judges from validation epochs when there is no evaluation', () => {
    const learned = learningVerdict(
      [epoch(0, 0.8, 0.75), epoch(1, 0.9, 0.85)],
      evaluation('test', [30, 30, 30], [26, 25, 27]),
      3
    )
    expect(learned.kind).toBe('learned')
    expect(isFlaggedVerdict(learned)).toBe(false)
    const noEval = learningVerdict([epoch(0, 0.95, 0.36), epoch(1, 0.99, 0.35)], null, 3)
    expect(noEval).toMatchObject({ kind: 'did-not-learn', split: 'val', accuracy: 0.36 })
    expect(learningVerdict([epoch(0, 0.5, null)], null, 3).kind).toBe('unknown')
  })

  it('widens the margin for small splits (1.5 standard errors) but never below 5 points', () => {
    // n = 12, chance 0.5: 1.5 * sqrt(0.25 / 12) = 0.217, so 0.67 is still noise.
    expect(learningVerdict([epoch(0, 0.7, 0.67)], evaluation('test', [6, 6], [4, 4]), 2).kind).toBe('did-not-learn')
    // n = 2000, chance 0.5: the margin is 5 points; 0.56 is above it.
    expect(learningVerdict([epoch(0, 0.6, 0.56)], evaluation('test', [1000, 1000], [560, 560]), 2).kind).toBe('learned')
  })
})

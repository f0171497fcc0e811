import { describe, expect, it } from 'vitest'
import { calibration } from '../../../src/main/training/metrics/calibration'
import { evaluatePredictions } from '../../../src/main/training/metrics/evaluate'
import { accuracy, predictedClasses } from '../../../src/main/training/metrics/predictions'
import { rocCurve } from '../../../src/main/training/metrics/roc'

// Seven samples, three classes; every expected value below was worked out by hand.
const labels = [0, 0, 1, 1, 2, 2, 2]
const probs = [
  [0.7, 0.2, 0.1], // true 0, predicted 0, confidence .7
  [0.3, 0.6, 0.1], // true 0, predicted 1, confidence .6
  [0.2, 0.5, 0.3], // true 1, predicted 1, confidence .5
  [0.1, 0.8, 0.1], // true 1, predicted 1, confidence .8
  [0.25, 0.35, 0.4], // true 2, predicted 2, confidence .4
  [0.5, 0.1, 0.4], // true 2, predicted 0, confidence .5
  [0.1, 0.1, 0.8] // true 2, predicted 2, confidence .8
].flat()

describe('evaluatePredictions', () => {
  const r = evaluatePredictions(probs, labels, 3)

  it('computes accuracy and the confusion matrix [true][predicted]', () => {
    expect(Array.from(predictedClasses(probs, 3))).toEqual([0, 1, 1, 1, 2, 0, 2])
    expect(r.accuracy).toBeCloseTo(5 / 7, 12)
    expect(accuracy(probs, labels, 3)).toBeCloseTo(5 / 7, 12)
    expect(r.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2]
    ])
  })

  it('computes per-class precision, recall, F1 and support', () => {
    const expected = [
      { precision: 1 / 2, recall: 1 / 2, f1: 1 / 2, support: 2 },
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 2 / 3, f1: 0.8, support: 3 }
    ]
    r.perClass.forEach((c, k) => {
      expect(c.precision).toBeCloseTo(expected[k].precision, 12)
      expect(c.recall).toBeCloseTo(expected[k].recall, 12)
      expect(c.f1).toBeCloseTo(expected[k].f1, 12)
      expect(c.support).toBe(expected[k].support)
    })
  })

  it('computes macro and support-weighted averages', () => {
    expect(r.macro.precision).toBeCloseTo(13 / 18, 12)
    expect(r.macro.recall).toBeCloseTo(13 / 18, 12)
    expect(r.macro.f1).toBeCloseTo(0.7, 12)
    expect(r.weighted.precision).toBeCloseTo(16 / 21, 12)
    expect(r.weighted.recall).toBeCloseTo(5 / 7, 12)
    expect(r.weighted.f1).toBeCloseTo(5 / 7, 12)
  })

  it('computes one-vs-rest ROC curves and AUCs', () => {
    expect(r.roc.map((c) => c.auc)).toEqual([0.9, 0.9, 1].map((v) => expect.closeTo(v, 12)))
    expect(r.macroAuc).toBeCloseTo(2.8 / 3, 12)
    expect(r.roc[0].thresholds).toEqual([Infinity, 0.7, 0.5, 0.3, 0.25, 0.2, 0.1])
    expect(r.roc[0].tpr).toEqual([0, 0.5, 0.5, 1, 1, 1, 1])
    expect(r.roc[0].fpr.map((v) => Number(v.toFixed(12)))).toEqual([0, 0, 0.2, 0.2, 0.4, 0.6, 1])
  })

  it('computes ECE over 10 (lower, upper] reliability bins', () => {
    const c = r.calibration
    expect(c.bins).toHaveLength(10)
    expect(c.bins.map((b) => b.count)).toEqual([0, 0, 0, 1, 2, 1, 1, 2, 0, 0])
    expect(c.bins[4].confidence).toBeCloseTo(0.5, 12)
    expect(c.bins[4].accuracy).toBeCloseTo(0.5, 12)
    expect(c.bins[5].accuracy).toBe(0)
    expect(c.bins[0].confidence).toBeNull()
    expect(c.ece).toBeCloseTo(1.9 / 7, 12)
    expect(c.mce).toBeCloseTo(0.6, 12)
  })

  it('rejects mismatched shapes and bad labels', () => {
    expect(() => evaluatePredictions(probs.slice(1), labels, 3)).toThrow(/20 probabilities/)
    expect(() => evaluatePredictions(probs, [0, 0, 1, 1, 2, 2, 3], 3)).toThrow(/label 3 of row 6/)
  })
})

describe('edge cases', () => {
  it('gives tied scores half credit in the AUC', () => {
    expect(rocCurve([0.5, 0.5], [true, false]).auc).toBe(0.5)
    expect(rocCurve([0.9, 0.5, 0.5, 0.1], [true, true, false, false]).auc).toBeCloseTo(0.875, 12)
  })

  it('has no AUC for a class without positives, and zero precision for a class never predicted', () => {
    const r = evaluatePredictions([0.9, 0.1, 0, 0.8, 0.2, 0], [0, 0], 3)
    expect(r.roc[1].auc).toBeNull()
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 })
    expect(r.macroAuc).toBeNull()
  })

  it('puts confidence exactly on a bin edge in the lower bin', () => {
    const c = calibration([0.3, 0.7, 0.7, 0.3], [0, 1], 2, 10)
    expect(c.bins[6].count).toBe(2)
    expect(c.bins[6].accuracy).toBe(0)
    expect(c.ece).toBeCloseTo(0.7, 12)
  })
})

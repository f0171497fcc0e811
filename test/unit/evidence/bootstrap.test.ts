import { describe, expect, it } from 'vitest'
import { bootstrapIntervals } from '../../../src/main/evidence/bootstrap'
import { evaluatePredictions } from '../../../src/main/training/metrics/evaluate'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { clusters, outOfFoldCentroid } from './synthetic'

/** Probabilities of a noisy classifier on n items of 3 classes (about 75 % accurate). */
function noisy(n: number, seed: number) {
  const d = clusters(3, Math.round(n / 3), 1.6, seed)
  return { ...outOfFoldCentroid(d, 3, 5, seed), labels: d.labels }
}

const width = (i: { lower: number; upper: number }) => i.upper - i.lower
const contains = (i: { estimate: number; lower: number; upper: number }) =>
  i.lower <= i.estimate && i.estimate <= i.upper

describe('bootstrapIntervals', () => {
  it('has point estimates equal to the plain evaluation, each inside its interval', () => {
    const { probs, labels } = noisy(300, 1)
    const r = bootstrapIntervals(probs, labels, 3, { seed: 4 })
    const e = evaluatePredictions(probs, labels, 3)
    expect(r.accuracy.estimate).toBeCloseTo(e.accuracy, 12)
    expect(r.macroF1.estimate).toBeCloseTo(e.macro.f1, 12)
    expect(r.macroAuc!.estimate).toBeCloseTo(e.macroAuc!, 10)
    r.perClass.forEach((c, k) => {
      expect(c.sensitivity!.estimate).toBeCloseTo(e.perClass[k].recall, 12)
      expect(c.auc!.estimate).toBeCloseTo(e.roc[k].auc!, 10)
      const fp = e.confusion.reduce((a, row, t) => a + (t === k ? 0 : row[k]), 0)
      const negatives = labels.filter((l) => l !== k).length
      expect(c.specificity!.estimate).toBeCloseTo((negatives - fp) / negatives, 12)
    })
    for (const i of [
      r.accuracy,
      r.macroF1,
      r.macroAuc!,
      ...r.perClass.flatMap((c) => [c.sensitivity!, c.specificity!, c.auc!])
    ]) {
      expect(contains(i)).toBe(true)
      expect(width(i)).toBeGreaterThan(0)
    }
    expect(r.method).toBe('items')
    expect(r.resamples).toBe(1000)
    expect(r.description).toMatch(/percentile bootstrap, 1000 resamples of 300 images, seed 4/)
  })

  it('is reproducible for a seed', () => {
    const { probs, labels } = noisy(150, 2)
    expect(bootstrapIntervals(probs, labels, 3, { seed: 3 })).toEqual(bootstrapIntervals(probs, labels, 3, { seed: 3 }))
    expect(bootstrapIntervals(probs, labels, 3, { seed: 3 }).accuracy).not.toEqual(
      bootstrapIntervals(probs, labels, 3, { seed: 4 }).accuracy
    )
  })

  it('narrows as n grows', () => {
    const small = noisy(90, 3)
    const large = noisy(2400, 3)
    const a = bootstrapIntervals(small.probs, small.labels, 3)
    const b = bootstrapIntervals(large.probs, large.labels, 3)
    // Width scales as 1/√n: 2400/90 ≈ 27 times the data should give about 1/5 the width.
    expect(width(b.accuracy)).toBeLessThan(width(a.accuracy) / 3)
    expect(width(b.macroF1)).toBeLessThan(width(a.macroF1) / 3)
    expect(width(b.macroAuc!)).toBeLessThan(width(a.macroAuc!) / 2)
  })

  it('widens when whole patients are resampled and their slices are correlated', () => {
    // 60 patients × 10 slices: every slice of a patient shares the patient's outcome (correct or not).
    const rng = mulberry32(9)
    const K = 2
    const probs: number[] = []
    const labels: number[] = []
    const groups: string[] = []
    for (let p = 0; p < 60; p++) {
      const label = p % 2
      const right = rng() < 0.7
      for (let s = 0; s < 10; s++) {
        const conf = 0.6 + 0.3 * rng()
        const pLabel = right ? conf : 1 - conf
        probs.push(...(label === 0 ? [pLabel, 1 - pLabel] : [1 - pLabel, pLabel]))
        labels.push(label)
        groups.push(`patient:${p}`)
      }
    }
    const items = bootstrapIntervals(probs, labels, K, { seed: 1 })
    const patients = bootstrapIntervals(probs, labels, K, { seed: 1, groups })
    expect(patients.method).toBe('groups')
    expect(patients.units).toBe(60)
    expect(patients.description).toMatch(/60 patients\/groups \(cluster bootstrap\)/)
    expect(patients.accuracy.estimate).toBe(items.accuracy.estimate)
    expect(contains(patients.accuracy)).toBe(true)
    // Effective sample size is 60, not 600: about √10 ≈ 3 times wider.
    expect(width(patients.accuracy)).toBeGreaterThan(2 * width(items.accuracy))
  })

  it('leaves undefined metrics null (a class without positives)', () => {
    const r = bootstrapIntervals([0.8, 0.2, 0.0, 0.3, 0.7, 0.0, 0.6, 0.4, 0.0], [0, 1, 0], 3, { resamples: 50 })
    expect(r.perClass[2].sensitivity).toBeNull()
    expect(r.perClass[2].auc).toBeNull()
    expect(r.perClass[2].specificity).not.toBeNull()
  })
})

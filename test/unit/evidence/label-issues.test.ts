import { describe, expect, it } from 'vitest'
import { findLabelIssues } from '../../../src/main/evidence/label-issues'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { clusters, outOfFoldCentroid } from './synthetic'

describe('findLabelIssues (confident learning on out-of-fold probabilities)', () => {
  const d = clusters(3, 100, 6, 11)
  // Flip 12 labels on purpose, to a different class.
  const rng = mulberry32(5)
  const flipped = new Set<number>()
  while (flipped.size < 12) flipped.add(Math.floor(rng() * d.labels.length))
  const truth = [...d.labels]
  for (const i of flipped) d.labels[i] = (d.labels[i] + 1 + Math.floor(rng() * 2)) % 3

  for (const score of ['normalized-margin', 'self-confidence'] as const) {
    it(`ranks the flipped labels at the top, suggesting the true class (${score})`, () => {
      const { probs } = outOfFoldCentroid(d, 3, 5, 1)
      const issues = findLabelIssues(probs, d.labels, 3, score)
      const top = issues.slice(0, flipped.size)
      expect(new Set(top.map((t) => t.index))).toEqual(flipped)
      for (const t of top) {
        expect(t.suggested).toBe(truth[t.index])
        expect(t.given).toBe(d.labels[t.index])
      }
      // Ranked by score, lowest (most likely wrong) first.
      for (let i = 1; i < issues.length; i++) expect(issues[i].score).toBeGreaterThanOrEqual(issues[i - 1].score)
    })
  }

  it('flags nothing on clean, separable labels', () => {
    const clean = clusters(3, 50, 8, 2)
    const { probs } = outOfFoldCentroid(clean, 3, 5, 0)
    expect(findLabelIssues(probs, clean.labels, 3)).toEqual([])
  })

  it('uses per-class thresholds: a low-confidence class still counts as confident', () => {
    // Class 1's items get p1 = 0.4 (its threshold); item 3 is labelled 0 but has p1 = 0.45 ≥ t1 and p0 = 0.55 < t0 = 0.8.
    const probs = [0.9, 0.1, 0.6, 0.4, 0.6, 0.4, 0.55, 0.45, 0.95, 0.05]
    const labels = [0, 1, 1, 0, 0]
    const issues = findLabelIssues(probs, labels, 2, 'self-confidence')
    expect(issues.map((i) => [i.index, i.suggested])).toEqual([[3, 1]])
    expect(issues[0].score).toBeCloseTo(0.55, 6)
  })
})

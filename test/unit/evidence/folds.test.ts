import { describe, expect, it } from 'vitest'
import { groupedStratifiedFolds } from '../../../src/main/evidence/folds'
import { assembleOutOfFold, summariseAcross } from '../../../src/main/evidence/out-of-fold'
import { mulberry32 } from '../../../src/main/training/loop/random'

/** 3 classes in 60/30/10 proportion, patients with 1–6 slices each, some slices without a patient. */
function dataset(seed: number) {
  const rng = mulberry32(seed)
  const items: { label: number; group: string | null }[] = []
  for (let p = 0; p < 90; p++) {
    const label = p < 54 ? 0 : p < 81 ? 1 : 2
    const slices = 1 + Math.floor(rng() * 6)
    for (let s = 0; s < slices; s++) items.push({ label, group: `patient:${p}` })
  }
  for (let i = 0; i < 20; i++) items.push({ label: i % 3, group: null })
  return items
}

describe('groupedStratifiedFolds', () => {
  for (const seed of [0, 1, 7, 42, 12345]) {
    it(`keeps every patient in one fold and every class spread evenly (seed ${seed})`, () => {
      const items = dataset(seed)
      const k = 5
      const folds = groupedStratifiedFolds(items, 3, k, seed)
      expect(folds.length).toBe(items.length)
      // Group-disjoint: one fold per patient.
      const foldOf = new Map<string, number>()
      items.forEach((it, i) => {
        expect(folds[i]).toBeGreaterThanOrEqual(0)
        expect(folds[i]).toBeLessThan(k)
        if (it.group === null) return
        if (foldOf.has(it.group)) expect(folds[i]).toBe(foldOf.get(it.group))
        else foldOf.set(it.group, folds[i])
      })
      // Stratified: each fold holds each class's share within a few items (groups have up to 6 slices).
      for (let c = 0; c < 3; c++) {
        const total = items.filter((it) => it.label === c).length
        for (let f = 0; f < k; f++) {
          const inFold = items.filter((it, i) => it.label === c && folds[i] === f).length
          expect(Math.abs(inFold - total / k)).toBeLessThanOrEqual(6)
          expect(inFold).toBeGreaterThan(0)
        }
      }
    })
  }

  it('is deterministic for a seed and changes with it', () => {
    const items = dataset(3)
    expect(Array.from(groupedStratifiedFolds(items, 3, 5, 9))).toEqual(
      Array.from(groupedStratifiedFolds(items, 3, 5, 9))
    )
    expect(Array.from(groupedStratifiedFolds(items, 3, 5, 9))).not.toEqual(
      Array.from(groupedStratifiedFolds(items, 3, 5, 10))
    )
  })

  it('refuses fewer groups than folds, naming both counts', () => {
    const items = [0, 0, 1, 1].map((label) => ({ label, group: `patient:${label}` }))
    expect(() => groupedStratifiedFolds(items, 2, 3, 0)).toThrow(/3 folds need at least 3 groups.*has 2/)
  })
})

describe('assembleOutOfFold', () => {
  const folds = Int32Array.from([0, 1, 0, 1])
  it('gives every item exactly one prediction, from the fold that held it out', () => {
    const oof = assembleOutOfFold(folds, 2, [
      { fold: 0, indices: [0, 2], probs: [0.9, 0.1, 0.2, 0.8] },
      { fold: 1, indices: [3, 1], probs: [0.3, 0.7, 0.6, 0.4] }
    ])
    expect(Array.from(oof)).toEqual([0.9, 0.1, 0.6, 0.4, 0.2, 0.8, 0.3, 0.7].map((v) => Math.fround(v)))
  })
  it('rejects a missing, doubled or in-fold prediction', () => {
    expect(() => assembleOutOfFold(folds, 2, [{ fold: 0, indices: [0, 2], probs: [1, 0, 1, 0] }])).toThrow(
      /item 1 has no/
    )
    expect(() => assembleOutOfFold(folds, 2, [{ fold: 0, indices: [0, 0], probs: [1, 0, 1, 0] }])).toThrow(
      /two out-of-fold/
    )
    expect(() => assembleOutOfFold(folds, 2, [{ fold: 1, indices: [0], probs: [1, 0] }])).toThrow(/belongs to fold 0/)
  })
})

describe('summariseAcross', () => {
  it('gives mean, sample SD and a t interval', () => {
    const s = summariseAcross([0.8, 0.9, 0.85, 0.95, 0.75])
    expect(s.mean).toBeCloseTo(0.85, 12)
    expect(s.sd).toBeCloseTo(Math.sqrt(0.025 / 4), 12)
    expect(s.ci95[0]).toBeCloseTo(0.85 - (2.776 * s.sd) / Math.sqrt(5), 12)
    expect(s.ci95[1]).toBeCloseTo(0.85 + (2.776 * s.sd) / Math.sqrt(5), 12)
  })
  it('clips the interval to [0, 1] and leaves out missing values', () => {
    const s = summariseAcross([1, 0.9, null, 1])
    expect(s.n).toBe(3)
    expect(s.ci95[1]).toBe(1)
    expect(s.ci95[0]).toBeGreaterThan(0.7)
  })
})

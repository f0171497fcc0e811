import { describe, expect, it } from 'vitest'
import { evaluationText } from '../../../src/main/cli/evaluation-text'
import { toEvaluation } from '../../../src/main/training/job/evaluation'
import type { JobItem } from '../../../src/main/training/job/job'
import { intervalsTable } from '../../../src/main/training/report/intervals-html'
import { formatInterval } from '../../../src/shared/format-interval'
import { clusters, outOfFoldCentroid } from './synthetic'

function predictions(patients: boolean) {
  const d = clusters(2, 60, 1.5, 8)
  const { probs } = outOfFoldCentroid(d, 2, 4, 8)
  const items: JobItem[] = d.labels.map((label, i) => ({
    itemId: i + 1,
    path: `/data/${i}.png`,
    frame: 0,
    sha256: String(i),
    label,
    split: 'test',
    patientId: patients ? `P${Math.floor(i / 4)}` : null
  }))
  const preds = { probs, labels: Int32Array.from(d.labels), indices: Int32Array.from(d.labels.keys()), numClasses: 2 }
  return { preds, items }
}

describe('intervals in the stored evaluation', () => {
  it('are computed with every evaluation, by patient when items carry a PatientID', () => {
    const { preds, items } = predictions(true)
    const e = toEvaluation('test', preds, items, ['a', 'b'])
    expect(e.intervals!.method).toBe('groups')
    expect(e.intervals!.units).toBe(30)
    expect(e.intervals!.accuracy.estimate).toBeCloseTo(e.accuracy, 12)
    expect(e.intervals!.macroF1.estimate).toBeCloseTo(e.macroF1, 12)
    const plain = toEvaluation('test', predictions(false).preds, predictions(false).items, ['a', 'b'])
    expect(plain.intervals!.method).toBe('items')
    expect(plain.intervals!.units).toBe(120)
  })

  it('are printed by evaluate and the report, with the method named', () => {
    const { preds, items } = predictions(true)
    const e = toEvaluation('test', preds, items, ['a', 'b'])
    const iv = e.intervals!
    const text = evaluationText(e)
    expect(text).toContain(
      `accuracy ${e.accuracy.toFixed(3)} [${iv.accuracy.lower.toFixed(3)}–${iv.accuracy.upper.toFixed(3)}]`
    )
    expect(text).toContain('cluster bootstrap')
    const html = intervalsTable(e)
    expect(html).toContain('whole patients were resampled')
    expect(html).toContain(
      formatInterval(iv.perClass[0].sensitivity!.estimate, iv.perClass[0].sensitivity, { digits: 3 })
    )
    expect(intervalsTable({ ...e, intervals: undefined })).toContain('stored before')
  })

  it('formats as "0.91 [0.87–0.94]"', () => {
    expect(formatInterval(0.9123, { lower: 0.8712, upper: 0.9449 })).toBe('0.91 [0.87–0.94]')
    expect(formatInterval(0.9123, { lower: 0.8712, upper: 0.9449 }, { percent: true })).toBe('91.2 % [87.1–94.5]')
    expect(formatInterval(0.9, null)).toBe('0.90')
    expect(formatInterval(null, null)).toBe('–')
  })
})

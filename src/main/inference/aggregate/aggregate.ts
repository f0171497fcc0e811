import type { GroupAggregate } from '../../../shared/contract'
import { ROOT_LABEL } from '../input/input-meta'

/** What aggregation reads from a prediction. */
export interface AggregatableRow {
  seriesKey: string
  seriesLabel: string
  studyKey: string
  patientKey: string
  studyUid: string | null
  patientId: string | null
  patientName: string | null
  predictedIndex: number
  lowConfidence: boolean
  /** One probability per class. */
  probabilities: ArrayLike<number>
}

const LEVEL_KEY = { series: 'seriesKey', study: 'studyKey', patient: 'patientKey' } as const

/** Label of a folder group key ('folder:<first-level folder>'). */
function folderLabel(key: string): string {
  const dir = key.slice('folder:'.length)
  return dir === '.' ? ROOT_LABEL : dir
}

function labelOf(level: GroupAggregate['level'], first: AggregatableRow): string {
  if (level === 'series') return first.seriesLabel
  const key = level === 'study' ? first.studyKey : first.patientKey
  if (key.startsWith('folder:')) return folderLabel(key)
  if (level === 'study') return `Study ${first.studyUid ?? ''}`.trim()
  const name = first.patientName?.replace(/\^+/g, ' ').trim()
  return [name, first.patientId ? `(${first.patientId})` : null].filter(Boolean).join(' ') || key
}

/**
 * Aggregates predictions per group at `level` (see GroupAggregate): mean probability per class, the majority
 * predicted class (ties broken by the higher mean probability, then the lower class index) and the agreement
 * (share of the group predicted as the majority). Groups come out in order of first appearance.
 */
export function aggregate(
  rows: readonly AggregatableRow[],
  classNames: readonly string[],
  level: GroupAggregate['level']
): GroupAggregate[] {
  const k = classNames.length
  const groups = new Map<
    string,
    { first: AggregatableRow; sums: Float64Array; votes: Int32Array; n: number; low: number }
  >()
  for (const r of rows) {
    const key = r[LEVEL_KEY[level]]
    let g = groups.get(key)
    if (!g) {
      g = { first: r, sums: new Float64Array(k), votes: new Int32Array(k), n: 0, low: 0 }
      groups.set(key, g)
    }
    for (let c = 0; c < k; c++) g.sums[c] += r.probabilities[c]
    if (r.predictedIndex >= 0 && r.predictedIndex < k) g.votes[r.predictedIndex]++
    g.n++
    if (r.lowConfidence) g.low++
  }
  return [...groups.entries()].map(([key, g]) => {
    const mean = Array.from(g.sums, (s) => s / g.n)
    let majority = 0
    let best = 0
    for (let c = 0; c < k; c++) {
      if (mean[c] > mean[best]) best = c
      const better = g.votes[c] > g.votes[majority] || (g.votes[c] === g.votes[majority] && mean[c] > mean[majority])
      if (better) majority = c
    }
    return {
      level,
      key,
      label: labelOf(level, g.first),
      patientKey: g.first.patientKey,
      count: g.n,
      meanProbabilities: mean,
      majority: classNames[majority],
      majorityIndex: majority,
      agreement: g.votes[majority] / g.n,
      meanPredicted: classNames[best],
      lowConfidence: g.low
    }
  })
}

/** Predictions per predicted class, every class present. */
export function countByClass(
  rows: readonly Pick<AggregatableRow, 'predictedIndex'>[],
  classNames: readonly string[]
): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(classNames.map((c) => [c, 0]))
  for (const r of rows) {
    const name = classNames[r.predictedIndex]
    if (name !== undefined) counts[name]++
  }
  return counts
}

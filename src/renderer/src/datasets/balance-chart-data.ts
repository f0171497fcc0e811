import type { ClassSummary } from '../../../shared/contract/datasets'

/** One stacked bar series of the class-balance chart. */
export interface BalanceSeries {
  key: 'train' | 'val' | 'test' | 'unassigned'
  label: string
  color: string
  /** Included items per class, in the order of `labels`. */
  data: number[]
}

/** Class names and per-split series for a stacked bar chart (chart.js `data`). */
export interface BalanceChartData {
  labels: string[]
  series: BalanceSeries[]
}

const SERIES: readonly Omit<BalanceSeries, 'data'>[] = [
  { key: 'train', label: 'train', color: '#5fb0ff' },
  { key: 'val', label: 'val', color: '#f0b85a' },
  { key: 'test', label: 'test', color: '#5fd38d' },
  { key: 'unassigned', label: 'not split', color: '#5a6472' }
]

/**
 * Stacked bars of included items per class and split, in the class list's order. The "not split" series is
 * left out once every item has a split, so a split dataset shows exactly three colours.
 */
export function balanceChartData(classes: readonly ClassSummary[]): BalanceChartData {
  const labels = classes.map((c) => c.name)
  const series = SERIES.map((s) => ({ ...s, data: classes.map((c) => c.splits[s.key]) })).filter(
    (s) => s.key !== 'unassigned' || s.data.some((n) => n > 0)
  )
  return { labels, series }
}

import type { GroupAggregate, ImagePrediction } from '../../../shared/contract/inference'

/** Which predictions the results table shows. */
export interface ResultFilter {
  /** Only this predicted class; '' = all. */
  className: string
  /** 'low': flagged low-confidence only; 'confident': the others; 'all'. */
  confidence: 'all' | 'low' | 'confident'
  /** Case-insensitive substring of the path, series or patient; '' = all. */
  text: string
  /**
   * Only predictions whose test-time-augmentation uncertainty (probability units) is at least this; 0 = all.
   * Predictions without an uncertainty (jobs run without TTA) never pass a positive bound.
   */
  minUncertainty?: number
}

export type SortKey = 'order' | 'path' | 'predicted' | 'confidence' | 'uncertainty' | 'series'
export type SortDir = 'asc' | 'desc'

export const NO_FILTER: ResultFilter = { className: '', confidence: 'all', text: '', minUncertainty: 0 }

/** The predictions that pass `f`, in their input order. */
export function filterPredictions(rows: readonly ImagePrediction[], f: ResultFilter): ImagePrediction[] {
  const text = f.text.trim().toLowerCase()
  return rows.filter((p) => {
    if (f.className && p.predicted !== f.className) return false
    if (f.confidence === 'low' && !p.lowConfidence) return false
    if (f.confidence === 'confident' && p.lowConfidence) return false
    if ((f.minUncertainty ?? 0) > 0 && (p.uncertainty ?? -1) < (f.minUncertainty ?? 0)) return false
    if (text) {
      const hay = `${p.path} ${p.seriesLabel} ${p.patientId ?? ''} ${p.patientName ?? ''}`.toLowerCase()
      if (!hay.includes(text)) return false
    }
    return true
  })
}

/** A stable sort of the predictions by `key` ('order' = as the job lists them: patient, series, instance). */
export function sortPredictions(rows: readonly ImagePrediction[], key: SortKey, dir: SortDir): ImagePrediction[] {
  const sign = dir === 'asc' ? 1 : -1
  const indexed = rows.map((p, i) => ({ p, i }))
  const cmp = (a: ImagePrediction, b: ImagePrediction): number => {
    switch (key) {
      case 'order':
        return 0
      case 'path':
        return a.path.localeCompare(b.path, undefined, { numeric: true }) || a.frame - b.frame
      case 'predicted':
        return a.predicted.localeCompare(b.predicted)
      case 'confidence':
        return a.confidence - b.confidence
      case 'uncertainty':
        return (a.uncertainty ?? -1) - (b.uncertainty ?? -1)
      case 'series':
        return a.seriesLabel.localeCompare(b.seriesLabel, undefined, { numeric: true })
    }
  }
  indexed.sort((a, b) => sign * cmp(a.p, b.p) || a.i - b.i)
  return indexed.map((x) => x.p)
}

/** A patient's series with the rows shown for each, in the order of the (sorted) rows. */
export interface PatientGroup {
  patient: GroupAggregate | null
  series: { series: GroupAggregate | null; rows: ImagePrediction[] }[]
  rows: number
}

/**
 * Groups (already filtered and sorted) rows by patient, then series; groups appear in the order of their first
 * row, so sorting by confidence brings the patients and series with the least confident images first.
 */
export function groupByPatientSeries(
  rows: readonly ImagePrediction[],
  patients: readonly GroupAggregate[],
  series: readonly GroupAggregate[]
): PatientGroup[] {
  const patientAgg = new Map(patients.map((p) => [p.key, p]))
  const seriesAgg = new Map(series.map((s) => [s.key, s]))
  const groups = new Map<
    string,
    { patient: GroupAggregate | null; series: Map<string, ImagePrediction[]>; rows: number }
  >()
  for (const r of rows) {
    let g = groups.get(r.patientKey)
    if (!g) {
      g = { patient: patientAgg.get(r.patientKey) ?? null, series: new Map(), rows: 0 }
      groups.set(r.patientKey, g)
    }
    const list = g.series.get(r.seriesKey)
    if (list) list.push(r)
    else g.series.set(r.seriesKey, [r])
    g.rows++
  }
  return [...groups.values()].map((g) => ({
    patient: g.patient,
    rows: g.rows,
    series: [...g.series.entries()].map(([key, list]) => ({ series: seriesAgg.get(key) ?? null, rows: list }))
  }))
}

/** Probability as a percentage with one decimal: 0.9234 → '92.3 %'. */
export function formatProbability(p: number): string {
  return `${(p * 100).toFixed(1)} %`
}

/** `path` relative to the job folder when it lies inside it (either separator), else unchanged. */
export function relativeTo(folder: string, path: string): string {
  for (const sep of ['/', '\\']) {
    const prefix = folder.endsWith(sep) ? folder : folder + sep
    if (path.startsWith(prefix)) return path.slice(prefix.length)
  }
  return path
}

/** Key of an image or frame in `indexByFrame`. */
export const frameKey = (path: string, frame: number): string => `${path}#${frame}`

/** The predictions that have Grad-CAM maps, by frameKey (a new map; the caller replaces, never mutates it). */
export function indexByFrame(predictions: readonly ImagePrediction[]): ReadonlyMap<string, ImagePrediction> {
  return new Map(predictions.filter((p) => p.hasSaliency).map((p) => [frameKey(p.path, p.frame), p]))
}

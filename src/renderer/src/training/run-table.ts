import { stageBackendsLabel, type RunStatus, type RunSummary } from '../../../shared/contract/training'

/**
 * The Backend column: the engine of each stage as recorded ('ort · ort'), else the engine process's backend
 * (runs that have not ended, or ended before per-stage backends were recorded).
 */
export const backendText = (r: RunSummary): string | null => stageBackendsLabel(r.stageBackends, true) ?? r.backend

/** Sortable columns of the runs table. */
export type RunColumn =
  | 'name'
  | 'status'
  | 'dataset'
  | 'backbone'
  | 'backend'
  | 'bestValAccuracy'
  | 'evaluationAccuracy'
  | 'verdict'
  | 'macroF1'
  | 'durationSeconds'
  | 'startedAt'

/** What the table shows: a text filter over name, dataset, backbone, backend and note, and a status filter. */
export interface RunFilter {
  text: string
  status: RunStatus | 'all'
}

const key = (r: RunSummary, c: RunColumn): string | number | null => {
  switch (c) {
    case 'dataset':
      return `${r.datasetName.toLowerCase()} v${String(r.versionNumber).padStart(6, '0')}`
    case 'name':
      return r.name.toLowerCase()
    case 'backend':
      return backendText(r)
    case 'verdict':
      return r.verdict?.kind ?? null
    default:
      return r[c]
  }
}

/** Filters and sorts runs; missing values (no evaluation yet) sort last in both directions. */
export function tableRows(
  runs: readonly RunSummary[],
  filter: RunFilter,
  sort: { column: RunColumn; desc: boolean }
): RunSummary[] {
  const q = filter.text.trim().toLowerCase()
  const rows = runs.filter(
    (r) =>
      (filter.status === 'all' || r.status === filter.status) &&
      (!q ||
        [r.name, r.datasetName, r.backbone, backendText(r) ?? '', r.note, r.status].some((s) =>
          s.toLowerCase().includes(q)
        ))
  )
  return rows.sort((a, b) => {
    const x = key(a, sort.column)
    const y = key(b, sort.column)
    if (x === null && y === null) return b.id - a.id
    if (x === null) return 1
    if (y === null) return -1
    const c = x < y ? -1 : x > y ? 1 : b.id - a.id
    return sort.desc ? -c : c
  })
}

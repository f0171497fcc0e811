import type { CurationOp, ItemFlag, Split } from '../../../shared/contract/datasets'

/** The undo button's text for the newest curation action: "Undo relabel 3 item(s) to "glioma"". */
export function undoLabel(op: CurationOp | null | undefined, maxLength = 60): string {
  if (!op) return 'Nothing to undo'
  const text = `Undo ${op.summary}`
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}

/** Thousands separators without locale surprises: 20000 → "20,000". */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** Bytes as B / KB / MB / GB (powers of 1024, one decimal above KB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = bytes / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`
}

/** Seconds as "42 s", "3 min 05 s". */
export function formatSeconds(s: number): string {
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const m = Math.floor(s / 60)
  return `${m} min ${String(Math.round(s - m * 60)).padStart(2, '0')} s`
}

/** The last segment of a path typed by the user (either separator), used as the default dataset name. */
export function folderName(p: string): string {
  const parts = p
    .trim()
    .split(/[\\/]+/)
    .filter(Boolean)
  return parts.at(-1) ?? ''
}

/** A split as shown in the grid and reports ("—" before the first split). */
export function splitLabel(split: Split | null): string {
  return split ?? '—'
}

/** The colour an item's split is written in (grid cells, leakage findings); unsplit items keep their element's colour. */
export const SPLIT_COLOR: Record<Split, string> = { train: '#5fb0ff', val: 'var(--warn)', test: 'var(--ok)' }

/** The flag filter's options, in menu order. */
export const FLAG_OPTIONS: readonly { value: ItemFlag | ''; label: string }[] = [
  { value: '', label: 'any' },
  { value: 'included', label: 'included' },
  { value: 'excluded', label: 'excluded' },
  { value: 'conflict', label: 'conflict (label)' },
  { value: 'duplicate', label: 'duplicate file' }
]

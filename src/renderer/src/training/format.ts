import { formatDuration as formatSharedDuration } from '../../../shared/format-duration'
/** '3 h 05 min', '12 min 40 s', '8 s' (see `shared/format-duration`); '–' for null. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–'
  return formatSharedDuration(seconds)
}

/** 0.8731 → '87.3 %'; '–' for null. */
export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)} %`

/** Fixed decimals; '–' for null. */
export const fixed = (v: number | null | undefined, d = 3): string =>
  v === null || v === undefined ? '–' : v.toFixed(d)

/** An ISO time as local 'YYYY-MM-DD HH:MM'. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** The local time now as 'HH:MM:SS' (log lines). */
export const clockTime = (): string => new Date().toTimeString().slice(0, 8)

/** Class names shortened for axis labels (the full name goes in a tooltip). */
export const abbreviate = (name: string, max = 12): string => (name.length <= max ? name : `${name.slice(0, max - 1)}…`)

/** '3 h 05 min', '12 min 40 s', '8 s'; '–' for null. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  const h = Math.floor(s / 3600)
  if (h >= 48) return `${(s / 86400).toFixed(1)} days`
  return `${h} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`
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

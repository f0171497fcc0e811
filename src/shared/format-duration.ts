/**
 * A duration in words, rounded to the unit that matters at its size: '8 s', '12 min 40 s', '3 h 05 min',
 * '2.5 days' (from 48 h). Negative inputs read as 0. Shared by the report writer (main) and the training views.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  const h = Math.floor(s / 3600)
  if (h >= 48) return `${(s / 86400).toFixed(1)} days`
  return `${h} h ${String(Math.round((s % 3600) / 60)).padStart(2, '0')} min`
}

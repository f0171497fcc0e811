import type { Interval } from './contract/evidence'

/**
 * A metric with its interval as reports print it: '0.91 [0.87–0.94]' (fractions, `digits` decimals), or
 * '91.0 % [87.0–94.0]' with `percent`. Null or absent intervals print the estimate alone; null values '–'.
 */
export function formatInterval(
  value: number | null | undefined,
  interval: Pick<Interval, 'lower' | 'upper'> | null | undefined,
  opts: { digits?: number; percent?: boolean } = {}
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  const d = opts.digits ?? (opts.percent ? 1 : 2)
  const f = (v: number) => (opts.percent ? (v * 100).toFixed(d) : v.toFixed(d))
  const point = opts.percent ? `${f(value)} %` : f(value)
  return interval ? `${point} [${f(interval.lower)}–${f(interval.upper)}]` : point
}

import { flattenConfig } from '../../../shared/contract/training-config'

/** One config setting that differs between the compared runs: its dotted path and each run's value. */
export interface DiffRow {
  path: string
  values: (string | number | boolean | null)[]
}

/** The settings whose values are not the same in every config, in schema order. */
export function diffConfigs(configs: readonly unknown[]): DiffRow[] {
  const flat = configs.map((c) => flattenConfig(c))
  const paths: string[] = []
  for (const f of flat) for (const p of Object.keys(f)) if (!paths.includes(p)) paths.push(p)
  return paths
    .map((path) => ({ path, values: flat.map((f) => (path in f ? f[path] : null)) }))
    .filter((r) => r.values.some((v) => v !== r.values[0]))
}

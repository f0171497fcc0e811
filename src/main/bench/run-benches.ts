import os from 'node:os'

export type Bench = () => Promise<Record<string, number | string>>

export interface BenchReport {
  machine: { cpus: number; model: string | undefined; node: string; date: string }
  /** Figures per bench, or `{ error }` for a bench that threw or does not exist. */
  results: Record<string, unknown>
}

/**
 * Runs the selected benches (all when `only` is empty). The exit code is 1 when any bench failed or a
 * requested name is unknown, so CI notices a broken bench instead of reading `{error}` as a figure.
 */
export async function runBenches(
  benches: Record<string, Bench>,
  only: string[]
): Promise<{ exitCode: number; report: BenchReport }> {
  const results: Record<string, unknown> = {}
  let failed = 0
  for (const name of only.filter((n) => !(n in benches))) {
    results[name] = { error: `no bench named "${name}" (known: ${Object.keys(benches).join(', ')})` }
    failed++
  }
  for (const [name, run] of Object.entries(benches)) {
    if (only.length && !only.includes(name)) continue
    try {
      results[name] = await run()
    } catch (err) {
      results[name] = { error: (err as Error).message }
      failed++
    }
  }
  const cpus = os.cpus()
  const machine = { cpus: cpus.length, model: cpus[0]?.model, node: process.version, date: new Date().toISOString() }
  return { exitCode: failed > 0 ? 1 : 0, report: { machine, results } }
}

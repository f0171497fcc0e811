import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from './output'

type Options = NonNullable<ParseArgsConfig['options']>

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  workspace: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
} as const satisfies Options

/** Strict parsing: unknown flags and missing values are usage errors with a one-line message. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: positionals > 0,
      strict: true
    })
    if (parsed.positionals.length > positionals)
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`)
    return parsed
  } catch (err) {
    if (err instanceof UsageError) throw err
    throw new UsageError((err as Error).message.split('\n')[0])
  }
}

/** Parses a numeric flag, naming it in the error. */
export function numberFlag(
  name: string,
  value: string | undefined,
  fallback: number,
  check: (n: number) => boolean
): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} ${value} is not valid`)
  return n
}

import fs from 'node:fs'
import path from 'node:path'
import { forkLauncher, type EngineLauncher } from './launcher'
import type { LiveEngines } from './live-engines'

/** How this shell starts engine processes. Electron swaps in utilityProcess; tests may point at a built entry. */
export interface EngineConfig {
  launcher: EngineLauncher
  /** The built engine entry script (out/main/engine.js). */
  entry: string
  /** The app core's running engines (set by createCore), so its shutdown can stop and await them. */
  live?: LiveEngines
}

/**
 * The engine bundle sits beside the CLI and Electron entries in out/main (shared code may run from
 * out/main/chunks). `NEUROPATH_ENGINE_ENTRY` overrides it (tests running from source use the built one).
 */
export function defaultEngineConfig(): EngineConfig {
  const candidates = [
    process.env.NEUROPATH_ENGINE_ENTRY,
    path.join(__dirname, 'engine.js'),
    path.join(__dirname, '..', 'engine.js')
  ]
  const entry = candidates.find((c): c is string => !!c && fs.existsSync(c)) ?? path.join(__dirname, 'engine.js')
  return { launcher: forkLauncher, entry }
}

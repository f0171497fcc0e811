import fs from 'node:fs'
import path from 'node:path'
import { forkLauncher } from '../../src/main/engine/launcher'
import type { EngineConfig } from '../../src/main/engine/engine-config'

/**
 * The real engine process for tests that run from source: the built out/main/engine.js (`npm test` and
 * `npm run test:unit` build first).
 */
export function builtEngine(): EngineConfig {
  const entry = path.resolve(__dirname, '../../out/main/engine.js')
  if (!fs.existsSync(entry)) throw new Error('out/main/engine.js is missing: run `npm run build` first (npm test does)')
  return { launcher: forkLauncher, entry }
}

import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

/**
 * The layering rules of eslint.config.mjs, run through ESLint's own API on small sources placed (by path
 * only) inside src/. Every rule is shown failing on a deliberate violation, and the allowed direction passes.
 */
const eslint = new ESLint({ cwd: path.resolve(__dirname, '../../..') })

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x\n`, { filePath })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules in eslint.config.mjs', () => {
  it.each([
    [
      'src/main/engine/fixture.ts',
      "import { x } from '../training/job/run-training'",
      /src\/main\/engine .* must not import/
    ],
    [
      'src/main/engine/fixture.ts',
      "import { x } from '../jobs/engine-handlers'",
      /src\/main\/engine .* must not import/
    ],
    [
      'src/main/engine/sub/fixture.ts',
      "import { x } from '../../inference/job'",
      /src\/main\/engine .* must not import/
    ],
    [
      'src/main/training/runs/fixture.ts',
      "import { x } from '../../jobs/engine-handlers'",
      /the domains must not import jobs/
    ],
    [
      'src/main/inference/fixture.ts',
      "import { x } from '../services'",
      /the domains must not import services \(type imports only\)/
    ],
    ['src/main/imaging/fixture.ts', "import { x } from '../cli/index'", /the domains must not import/],
    [
      'src/main/jobs/fixture.ts',
      "import { x } from '../services/app-context'",
      /src\/main\/jobs .* must not import services/
    ],
    [
      'src/main/services/fixture.ts',
      "import { x } from '../server/browser-server'",
      /src\/main\/services must not import cli, server/
    ],
    [
      'src/main/bench/fixture.ts',
      "import { x } from '../../renderer/src/viewer/x'",
      /src\/main must not import the renderer/
    ],
    [
      'src/main/services/fixture.ts',
      "import { x } from '../../renderer/src/lib/x'",
      /src\/main must not import the renderer/
    ],
    [
      'src/main/training/fixture.ts',
      "import { x } from 'electron'",
      /only src\/main\/electron\/\*\* may import Electron/
    ],
    ['src/shared/fixture.ts', "import { x } from 'node:fs'", /src\/shared must not import Node modules/],
    [
      'src/renderer/src/fixture.ts',
      "import { x } from '../../main/services'",
      /src\/renderer must not import main-process/
    ]
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await layerErrors(file, code)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
  })

  it.each([
    ['src/main/training/runs/fixture.ts', "import { x } from '../../engine/engine-host'"],
    ['src/main/jobs/fixture.ts', "import { x } from '../training/job/run-training'"],
    ['src/main/services/fixture.ts', "import { x } from '../jobs/active-engine-jobs'"],
    ['src/main/evidence/fixture.ts', "import type { x } from '../services/app-context'"],
    ['src/main/engine/fixture.ts', "import type { x } from '../catalog/open-catalog'"],
    ['src/main/electron/fixture.ts', "import { x } from 'electron'"],
    ['src/main/bench/fixture.ts', "import { x } from '../../shared/display/window-lut'"]
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([])
  })
})

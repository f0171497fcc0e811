import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RunEvent, TrainingConfigInput } from '../../src/shared/contract'
import { directApi } from '../../src/main/cli/direct-api'
import { createCore } from '../../src/main/services'
import { writeSeparableDataset } from '../unit/run/fixtures'
import { builtEngine } from './engine'
import { importDataset } from './import-dataset'

/**
 * A fresh workspace holding one finished run named `name`, trained with `config` in a real engine process on
 * the separable toy dataset (8 images per class, split 50/25/25). The core is closed before it returns, so a
 * served app can open the workspace.
 */
export async function workspaceWithRun(
  name: string,
  config: TrainingConfigInput,
  timeoutMs = 120_000
): Promise<{ workspace: string; runId: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-run-'))
  await writeSeparableDataset(path.join(dir, 'data'), 8)
  const workspace = path.join(dir, 'ws')
  const core = createCore(workspace, 'cli', builtEngine())
  try {
    const api = directApi(core)
    const events: RunEvent[] = []
    api.training.onRunEvent((e) => events.push(e))
    const { id } = await importDataset(api, 'toy', path.join(dir, 'data'))
    await api.datasets.split({ datasetId: id, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
    const run = await api.training.startRun({ datasetId: id, name, config })
    // A status event that is not "running" ends the run (expect.poll only works inside a test).
    const deadline = Date.now() + timeoutMs
    while (!events.some((e) => e.runId === run.id && e.type === 'status' && e.status !== 'running')) {
      if (Date.now() > deadline) throw new Error(`the run "${name}" did not finish in ${timeoutMs / 1000} s`)
      await new Promise((r) => setTimeout(r, 100))
    }
    return { workspace, runId: run.id }
  } finally {
    core.close()
  }
}

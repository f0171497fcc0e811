import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { isProcessAlive } from '../../../src/main/engine/job-state'
import { createCore } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { writeSeparableDataset } from '../run/fixtures'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-shutdown-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('closing the core', () => {
  it('records a running run as interrupted, stops its engine and waits until the process is gone', async () => {
    await writeSeparableDataset(path.join(dir, 'data'), 10)
    const core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
    const api = directApi(core)
    const events: RunEvent[] = []
    api.training.onRunEvent((e) => events.push(e))
    const imp = await api.datasets.startImport({ dataset: 'toy', root: path.join(dir, 'data') })
    await new Promise<void>((r) => api.datasets.onImportFinished((f) => f.importId === imp.importId && r()))
    const ds = (await api.datasets.list({})).find((d) => d.name === 'toy')!
    await api.datasets.split({ datasetId: ds.id, val: 0.25, test: 0.25, seed: 1, groupBy: { kind: 'none' } })
    const run = await api.training.startRun({
      datasetId: ds.id,
      config: {
        backbone: { kind: 'random' },
        inputSize: 32,
        head: { fc1Units: 32, fc2Units: 16 },
        batchSize: 8,
        stage1: { epochs: 1000, mode: 'embeddings' },
        earlyStopping: { enabled: false },
        stage2: { enabled: false },
        augmentation: { enabled: false }
      } as never
    })
    // Wait for an epoch, so the engine is deep in its training loop.
    const started = Date.now()
    while (
      !events.some(
        (e) => e.runId === run.id && (e.type === 'epoch' || (e.type === 'status' && e.status !== 'running'))
      ) &&
      Date.now() - started < 90_000
    )
      await new Promise((r) => setTimeout(r, 100))
    const log = events.find((e) => e.type === 'log' && /engine process \d+ started/.test(e.line))
    const pid = Number(/engine process (\d+)/.exec(log?.type === 'log' ? log.line : '')?.[1])
    expect(events.filter((e) => e.type === 'status' && e.status !== 'running')).toEqual([])
    expect(pid).toBeGreaterThan(0)
    expect(isProcessAlive(pid)).toBe(true)

    await core.close()

    expect(isProcessAlive(pid)).toBe(false)
    expect(events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status)).toEqual([
      'running',
      'interrupted'
    ])
    const db = new Database(path.join(dir, 'ws', 'catalog.sqlite'), { readonly: true })
    try {
      const row = db.prepare('SELECT status, error FROM runs WHERE id = ?').get(run.id) as {
        status: string
        error: string
      }
      expect(row).toEqual({ status: 'interrupted', error: 'the app closed while this run was in progress' })
      const lines = (db.prepare('SELECT line FROM run_log WHERE run_id = ?').all(run.id) as { line: string }[]).map(
        (l) => l.line
      )
      expect(lines).toContain('interrupted: the app closed; resume continues from the last saved epoch')
    } finally {
      db.close()
    }
  }, 180_000)
})

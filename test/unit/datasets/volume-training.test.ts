import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, RunEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'

/** The pretrained backbone the classify tests learn left/right discs with, on embeddings only (seconds). */
const CONFIG = {
  backbone: { kind: 'nsfwjs' as const },
  inputSize: 64,
  batchSize: 8,
  stage1: { epochs: 15, mode: 'embeddings' as const, learningRate: 3e-3 },
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

/**
 * A real training run (engine process, pretrained backbone, embeddings only) on a dataset of NIfTI volume slices. Each
 * 32×32×6 volume (nibabel) has blank first and last axial slices (left out by skipEmptySlices) and a bright
 * disc on the left (class "left") or right ("right") of every other slice: a run that loaded any slice but
 * the one each item names (e.g. always slice 0, blank) could not tell the classes apart.
 */
const WRITE = `
import sys, os, numpy as np, nibabel as nib
rng = np.random.default_rng(5)
for label, cx in (('left', 9), ('right', 22)):
    os.makedirs(os.path.join(sys.argv[1], label), exist_ok=True)
    for n in range(8):
        v = np.zeros((32, 32, 6), np.int16)
        i, j = np.meshgrid(np.arange(32), np.arange(32), indexing='ij')
        for k in range(1, 5):
            v[:, :, k] = 100 + rng.integers(0, 40, (32, 32)) + ((i - cx) ** 2 + (j - 16) ** 2 < 36) * 600
        nib.save(nib.Nifti1Image(v, np.eye(4)), os.path.join(sys.argv[1], label, f'v{n}.nii.gz'))
`

let dir = ''
let core: Core
let api: Api
const events: RunEvent[] = []

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-vol-train-'))
  execFileSync('/usr/bin/python3', ['-c', WRITE, path.join(dir, 'data')])
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.training.onRunEvent((e) => events.push(e))
})
afterAll(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('training on volume slices', () => {
  it('trains and evaluates on the slices each item names, volumes kept whole per split', async () => {
    const { importId } = await api.datasets.startImport({
      dataset: 'vols',
      root: path.join(dir, 'data'),
      skipEmptySlices: true
    })
    await new Promise<void>((resolve) => {
      const off = api.datasets.onImportFinished((f) => {
        if (f.importId === importId) {
          off()
          resolve()
        }
      })
    })
    const ds = (await api.datasets.list({})).find((d) => d.name === 'vols')!
    expect(ds.items).toBe(16 * 4)
    await api.datasets.split({ datasetId: ds.id, val: 0.25, test: 0.25, seed: 4, groupBy: { kind: 'none' } })
    const run = await api.training.startRun({ datasetId: ds.id, name: 'slices', config: CONFIG })
    const deadline = Date.now() + 150_000
    while (!events.some((e) => e.runId === run.id && e.type === 'status' && e.status !== 'running')) {
      if (Date.now() > deadline) throw new Error('the run did not finish in 150 s')
      await new Promise((r) => setTimeout(r, 100))
    }
    const done = await api.training.getRun({ runId: run.id })
    expect(done.status).toBe('completed')
    const ev = done.evaluation!
    // The test split holds whole volumes: 4 slices each.
    expect(ev.predictions!.itemIds.length % 4).toBe(0)
    expect(ev.predictions!.itemIds.length).toBeGreaterThan(0)
    expect(ev.accuracy).toBeGreaterThanOrEqual(0.9)
  }, 200_000)
})

import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api, InferenceEvent } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { tempDir, writeUntrainedModel } from './fixtures'

/**
 * Classifying NIfTI volumes along a chosen plane, through the real engine process (out/main/engine.js) and the
 * CLI: a 12 × 10 × 8 voxel volume (nibabel, RAS) gives 8 axial, 10 coronal or 12 sagittal slices, each volume
 * aggregates to one series, and the job records its plane. The model is untrained: only counts are checked.
 */

const ROOT = path.resolve(__dirname, '../../..')
const run = promisify(execFile)
const tmp = tempDir('volume-plane')
let core: Core
let api: Api
let modelDir = ''
let folder = ''
const events: InferenceEvent[] = []

function finished(jobId: number): Promise<InferenceEvent & { type: 'status' }> {
  return new Promise((resolve) => {
    const check = () => {
      const e = events.find((x) => x.jobId === jobId && x.type === 'status' && x.status !== 'running')
      if (e) resolve(e as InferenceEvent & { type: 'status' })
      else setTimeout(check, 25)
    }
    check()
  })
}

beforeAll(async () => {
  modelDir = await writeUntrainedModel(path.join(tmp.dir, 'model'))
  folder = path.join(tmp.dir, 'patient')
  fs.mkdirSync(folder, { recursive: true })
  const write = [
    'import sys, numpy as np, nibabel as nib',
    'v = (np.arange(12 * 10 * 8).reshape(12, 10, 8) % 97).astype(np.int16)',
    'nib.save(nib.Nifti1Image(v, np.eye(4)), sys.argv[1])'
  ].join('\n')
  execFileSync('/usr/bin/python3', ['-c', write, path.join(folder, 'head.nii.gz')])
  core = createCore(path.join(tmp.dir, 'ws'), 'cli', builtEngine())
  api = directApi(core)
  api.inference.onJobEvent((e) => events.push(e))
}, 60_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

describe('classification of volumes along a plane', () => {
  it('slices along the requested plane, one series per volume, and keeps the plane with the job', async () => {
    for (const [plane, slices] of [
      ['sagittal', 12],
      ['coronal', 10]
    ] as const) {
      const job = await api.inference.startJob({ modelDir, folder, saliency: false, volumePlane: plane })
      expect(job.volumePlane).toBe(plane)
      expect((await finished(job.id)).status).toBe('completed')
      const d = await api.inference.getJob({ jobId: job.id })
      expect(d.volumePlane).toBe(plane)
      expect(d.predictions.map((p) => p.frame)).toEqual([...Array(slices).keys()])
      expect(d.series.map((s) => [s.label, s.count])).toEqual([['head.nii.gz', slices]])
    }
    const axial = await api.inference.startJob({ modelDir, folder, saliency: false })
    await finished(axial.id)
    expect((await api.inference.getJob({ jobId: axial.id })).predictions).toHaveLength(8)
  }, 120_000)

  it('neuropath classify --plane coronal; an unknown plane is a usage error', async () => {
    const out = path.join(tmp.dir, 'results', 'coronal.csv')
    const args = [path.join(ROOT, 'bin/neuropath.mjs'), 'classify', folder, '--model', modelDir, '--out', out]
    const ws = ['--workspace', path.join(tmp.dir, 'cli-ws')]
    const { stdout } = await run(process.execPath, [...args, '--plane', 'coronal', '--json', '--no-saliency', ...ws], {
      timeout: 90_000
    })
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(summary).toMatchObject({ status: 'completed', classified: 10 })
    expect(summary.series.map((s: { count: number }) => s.count)).toEqual([10])
    const err = await run(process.execPath, [...args, '--plane', 'oblique', ...ws]).catch((e: { stderr: string }) => e)
    expect((err as { stderr: string }).stderr).toMatch(/--plane must be axial, coronal or sagittal, not "oblique"/)
  }, 120_000)
})

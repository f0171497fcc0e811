import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrainingConfigSchema, type TrainingConfigInput } from '../../../src/shared/contract'
import { runTraining } from '../../../src/main/training/run/run-training'
import type { EngineRunEvent, JobItem, TrainingJob } from '../../../src/main/training/run/job'
import { loadModelArtifact } from '../../../src/main/training/run/model-artifact'
import { writeSeparableDataset } from './fixtures'

let dir = ''
let items: JobItem[] = []
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-run-'))
  items = await writeSeparableDataset(path.join(dir, 'data'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function job(over: Partial<Omit<TrainingJob, 'config'>> & { config?: TrainingConfigInput } = {}): TrainingJob {
  return {
    kind: 'train',
    runId: 1,
    classNames: ['left', 'right'],
    items,
    modelDir: path.join(dir, 'models', String(Math.random()).slice(2)),
    cacheDir: path.join(dir, 'cache'),
    resume: false,
    dataset: { id: 1, name: 'toy', versionId: 1, fingerprint: null },
    ...over,
    config: TrainingConfigSchema.parse({
      backbone: { kind: 'random' },
      inputSize: 32,
      head: { fc1Units: 32, fc2Units: 16 },
      batchSize: 8,
      stage1: { epochs: 3, mode: 'embeddings' },
      stage2: { enabled: false },
      augmentation: { enabled: false },
      ...(over.config ?? {})
    })
  }
}

describe('runTraining', () => {
  it('trains stage 1 on embeddings, evaluates on test and saves a loadable model folder', async () => {
    const events: EngineRunEvent[] = []
    const j = job()
    const res = await runTraining(j, (e) => events.push(e), new AbortController().signal)
    expect(res.status).toBe('completed')
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(3)
    expect(res.evaluation?.split).toBe('test')
    expect(res.evaluation?.n).toBe(4)
    const { model, card } = await loadModelArtifact(res.modelDir)
    expect(card.classNames).toEqual(['left', 'right'])
    expect(card.preprocessing.inputSize).toBe(32)
    expect(model.outputs[0].shape).toEqual([null, 2])
    model.dispose()
  }, 120_000)

  it('learns: the nsfwjs backbone separates the generated classes well above chance', async () => {
    const res = await runTraining(
      job({
        config: {
          backbone: { kind: 'nsfwjs' },
          inputSize: 64,
          stage1: { epochs: 15, mode: 'embeddings', learningRate: 3e-3 }
        }
      }),
      () => undefined,
      new AbortController().signal
    )
    expect(res.backbone.kind).toBe('nsfwjs')
    expect(res.evaluation!.accuracy).toBeGreaterThanOrEqual(0.75)
  }, 180_000)

  it('runs stage 2 with the top base layers unfrozen (on cpu where wasm lacks conv gradients)', async () => {
    const events: EngineRunEvent[] = []
    const res = await runTraining(
      job({ config: { stage1: { epochs: 1, mode: 'embeddings' }, stage2: { epochs: 1, unfreezeTopLayers: 5 } } }),
      (e) => events.push(e),
      new AbortController().signal
    )
    expect(res.status).toBe('completed')
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.metrics.stage] : []))
    expect(epochs).toEqual([1, 2])
    expect(events.some((e) => e.type === 'mark' && e.mark.kind === 'stage' && e.mark.stage === 2)).toBe(true)
  }, 300_000)

  it('stops on cancel, keeps the model, and resumes from the saved epoch', async () => {
    const controller = new AbortController()
    const j = job({ config: { stage1: { epochs: 6, mode: 'embeddings' } } })
    const first: EngineRunEvent[] = []
    const res = await runTraining(
      j,
      (e) => {
        first.push(e)
        if (e.type === 'epoch' && e.metrics.epoch === 1) controller.abort()
      },
      controller.signal
    )
    expect(res.status).toBe('stopped')
    expect(fs.existsSync(path.join(j.modelDir, 'resume', 'stage1', 'state.json'))).toBe(true)
    const second: EngineRunEvent[] = []
    const resumed = await runTraining({ ...j, resume: true }, (e) => second.push(e), new AbortController().signal)
    expect(resumed.status).toBe('completed')
    const epochs = second.flatMap((e) => (e.type === 'epoch' ? [e.metrics.epoch] : []))
    expect(epochs[0]).toBe(2)
    expect(epochs.at(-1)).toBe(5)
    expect(second.some((e) => e.type === 'mark' && e.mark.kind === 'resume')).toBe(true)
  }, 120_000)
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrainingConfigSchema, type TrainingConfigInput } from '../../../src/shared/contract'
import { runTraining } from '../../../src/main/training/job/run-training'
import type { EngineRunEvent, JobItem, TrainingJob } from '../../../src/main/training/job/job'
import { loadModelArtifact } from '../../../src/main/training/job/model-artifact'
import { loadRandomBackbone } from '../../../src/main/training/backbone/random-source'
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

  it('runs stage 2 on tfjs when its layers have no graph op (on cpu where wasm lacks conv gradients)', async () => {
    const events: EngineRunEvent[] = []
    // 40 layers reach block_13's stride-2 depthwise and its ZeroPadding2D, which the ONNX training graph lacks.
    const res = await runTraining(
      job({ config: { stage1: { epochs: 1, mode: 'embeddings' }, stage2: { epochs: 1, unfreezeTopLayers: 40 } } }),
      (e) => events.push(e),
      new AbortController().signal
    )
    expect(res.status).toBe('completed')
    const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.metrics.stage] : []))
    expect(epochs).toEqual([1, 2])
    expect(events.some((e) => e.type === 'mark' && e.mark.kind === 'stage' && e.mark.stage === 2)).toBe(true)
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.line] : []))
    expect(logs.some((l) => /stage 2 cannot use ONNX Runtime \(stage-2 graph: layer "block_13_/.test(l))).toBe(true)
    // The record names what each stage really ran on: a wasm stage 2 moved to cpu, not "wasm".
    const tfjs = res.backend === 'ort' || res.backend === 'wasm' ? 'cpu' : res.backend
    expect(res.stageBackends).toEqual({ stage1: 'ort', stage2: tfjs })
    const { model, card } = await loadModelArtifact(res.modelDir)
    expect(card.training.stageBackends).toEqual(res.stageBackends)
    model.dispose()
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
    const epochs = second.flatMap((e) => (e.type === 'epoch' && !e.replayed ? [e.metrics.epoch] : []))
    expect(epochs[0]).toBe(2)
    expect(epochs.at(-1)).toBe(5)
    // The epochs before the interruption are sent again from the resume point (so an event lost when the app
    // closed is recorded), with the metrics they had.
    const replayed = second.flatMap((e) => (e.type === 'epoch' && e.replayed ? [e.metrics] : []))
    const before = first.flatMap((e) => (e.type === 'epoch' ? [e.metrics] : []))
    expect(replayed).toEqual(before.slice(0, 2))
    expect(second.some((e) => e.type === 'mark' && e.mark.kind === 'resume')).toBe(true)
  }, 120_000)

  it('starts a stage over, and says why, when its resume point was left unreadable (a power loss)', async () => {
    const controller = new AbortController()
    const j = job({ config: { stage1: { epochs: 4, mode: 'embeddings' } } })
    await runTraining(
      j,
      (e) => {
        if (e.type === 'epoch' && e.metrics.epoch === 1) controller.abort()
      },
      controller.signal
    )
    // Resume points skip the fsync: after a power loss the renamed file can be empty. state.json names the slot
    // ('a' or 'b') holding the point's files.
    const stageDir = path.join(j.modelDir, 'resume', 'stage1')
    const { slot } = JSON.parse(fs.readFileSync(path.join(stageDir, 'state.json'), 'utf8')) as { slot: string }
    expect(['a', 'b']).toContain(slot)
    fs.truncateSync(path.join(stageDir, slot, 'optimizer.bin'), 0)
    const second: EngineRunEvent[] = []
    const resumed = await runTraining({ ...j, resume: true }, (e) => second.push(e), new AbortController().signal)
    expect(resumed.status).toBe('completed')
    const epochs = second.flatMap((e) => (e.type === 'epoch' ? [e.metrics.epoch] : []))
    expect(epochs).toEqual([0, 1, 2, 3])
    expect(second.some((e) => e.type === 'mark' && e.mark.kind === 'resume')).toBe(false)
    const log = second.flatMap((e) => (e.type === 'log' ? [e.line] : []))
    expect(
      log.some((l) => /stage 1 starts over: checkpoint .*optimizer\.json cannot be read: .*truncated/.test(l))
    ).toBe(true)
  }, 120_000)
})

/** Stage-2 epochs of a run's events, as [epoch, loss, valLoss]. */
const stage2Epochs = (events: EngineRunEvent[]) =>
  events.flatMap((e) =>
    e.type === 'epoch' && e.metrics.stage === 2 && !e.replayed
      ? [[e.metrics.epoch, e.metrics.loss, e.metrics.valLoss]]
      : []
  )

/** The seed's stage 2 shape on the toy data: all of MobileNetV2's top 30 layers unfrozen, at 32 px. */
const stage2Config: TrainingConfigInput = {
  stage1: { epochs: 2, mode: 'embeddings' },
  stage2: { epochs: 4, unfreezeTopLayers: 30, learningRate: 1e-3 },
  earlyStopping: { enabled: false },
  reduceLrOnPlateau: { enabled: true, patience: 1 }
}

describe('runTraining: stage 2 on ONNX Runtime', () => {
  it('trains the top 30 layers on ort, records it per stage and saves the fine-tuned weights', async () => {
    const events: EngineRunEvent[] = []
    const j = job({ config: stage2Config })
    const res = await runTraining(j, (e) => events.push(e), new AbortController().signal)
    expect(res.status).toBe('completed')
    expect(res.stageBackends).toEqual({ stage1: 'ort', stage2: 'ort' })
    expect(res.modelOrigin).toEqual({ stage: 2, weights: 'last-epoch' })
    expect(stage2Epochs(events).map((e) => e[0])).toEqual([0, 1, 2, 3])
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.line] : []))
    expect(logs.some((l) => l.includes('stage 2 trains on ONNX Runtime: block_13_project_BN'))).toBe(true)
    expect(logs.some((l) => l.includes('recomputes the frozen part'))).toBe(true)
    const { model, card } = await loadModelArtifact(res.modelDir)
    expect(card.training.stageBackends).toEqual({ stage1: 'ort', stage2: 'ort' })
    expect(card.training.stage2Epochs).toBe(4)
    // The saved model carries fine-tuned top weights and the untouched frozen ones. (The seeded random
    // backbone's activations fade to ~1e-11 by block 13, so its kernels get vanishing gradients; the BN
    // β of the top layers get real ones.)
    const fresh = loadRandomBackbone(32, j.config.seed).model
    const diff = (name: string, weight = 0) => {
      const a = model.getLayer(name).getWeights()[weight].dataSync() as Float32Array
      const b = fresh.getLayer(name).getWeights()[weight].dataSync() as Float32Array
      return a.reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - b[i])), 0)
    }
    expect(diff('Conv_1_bn', 1)).toBeGreaterThan(1e-3)
    expect(diff('block_14_depthwise_BN', 1)).toBeGreaterThan(1e-3)
    expect(diff('block_13_project_BN', 1)).toBeGreaterThan(1e-3)
    expect(diff('block_13_project')).toBe(0)
    expect(diff('block_13_depthwise_BN', 1)).toBe(0)
    model.dispose()
    fresh.dispose()
  }, 300_000)

  it('resumes inside stage 2 and continues exactly where the uninterrupted run goes', async () => {
    const straight: EngineRunEvent[] = []
    await runTraining(job({ config: stage2Config }), (e) => straight.push(e), new AbortController().signal)

    const controller = new AbortController()
    const j = job({ config: stage2Config })
    const first: EngineRunEvent[] = []
    const stopped = await runTraining(
      j,
      (e) => {
        first.push(e)
        if (e.type === 'epoch' && e.metrics.stage === 2 && e.metrics.epoch === 1) controller.abort()
      },
      controller.signal
    )
    expect(stopped.status).toBe('stopped')
    expect(stopped.modelOrigin).toEqual({ stage: 2, weights: 'best-checkpoint' })
    const logs = first.flatMap((e) => (e.type === 'log' ? [e.line] : []))
    expect(logs).toContain("cancelled during stage 2: the saved model holds the weights of stage 2's best checkpoint")
    expect(fs.existsSync(path.join(j.modelDir, 'resume', 'stage2', 'state.json'))).toBe(true)

    const second: EngineRunEvent[] = []
    const resumed = await runTraining({ ...j, resume: true }, (e) => second.push(e), new AbortController().signal)
    expect(resumed.status).toBe('completed')
    // Stage 1 is not run again; stage 2 picks up at epoch 3 with the same losses as the uninterrupted run.
    expect(second.some((e) => e.type === 'epoch' && e.metrics.stage === 1)).toBe(false)
    expect(second.some((e) => e.type === 'mark' && e.mark.kind === 'resume' && e.mark.stage === 2)).toBe(true)
    const want = stage2Epochs(straight).slice(2)
    const got = stage2Epochs(second)
    expect(got.map((e) => e[0])).toEqual([2, 3])
    got.forEach((e, i) => {
      expect(e[1]).toBeCloseTo(want[i][1] as number, 5)
      expect(e[2]).toBeCloseTo(want[i][2] as number, 5)
    })
  }, 600_000)

  it("a cancel in stage 2 before its first checkpoint keeps stage 1's best model and says so", async () => {
    const controller = new AbortController()
    const events: EngineRunEvent[] = []
    const j = job({ config: stage2Config })
    const res = await runTraining(
      j,
      (e) => {
        events.push(e)
        if (e.type === 'batch' && e.stage === 2 && e.batch === 1) controller.abort()
      },
      controller.signal
    )
    expect(res.status).toBe('stopped')
    expect(res.modelOrigin).toEqual({ stage: 1, weights: 'best-checkpoint' })
    const logs = events.flatMap((e) => (e.type === 'log' ? [e.line] : []))
    expect(logs).toContain("cancelled during stage 2: the saved model holds the weights of stage 1's best checkpoint")
    // Stage 2's part-trained top was put back to the backbone's own weights.
    const { model, card } = await loadModelArtifact(res.modelDir)
    expect(card.training.origin).toEqual({ stage: 1, weights: 'best-checkpoint' })
    const fresh = loadRandomBackbone(32, j.config.seed).model
    const a = model.getLayer('Conv_1').getWeights()[0].dataSync()
    const b = fresh.getLayer('Conv_1').getWeights()[0].dataSync()
    expect(a.every((v, i) => v === b[i])).toBe(true)
    model.dispose()
    fresh.dispose()
  }, 300_000)
})

import { describe, expect, it } from 'vitest'
import type { RunEvent, TrainingEstimate } from '../../../src/shared/contract'
import { stageFraction } from '../../../src/shared/run-progress'
import { longRunQuestion } from '../../../src/renderer/src/training/launch-guard'
import { nextProgress, progressText, type ProgressFields } from '../../../src/renderer/src/training/progress-text'
import { runBenches } from '../../../src/main/bench/run-benches'

const START: ProgressFields = {
  stage: null,
  epoch: 0,
  batch: 0,
  batches: 0,
  imagesPerSecond: null,
  etaSeconds: null,
  phase: null,
  phaseProgress: null
}
const run = { runId: 1 }
const batch = (stage: 1 | 2, epoch: number, b: number, batches: number, ips: number, eta: number): RunEvent => ({
  ...run,
  type: 'batch',
  stage,
  epoch,
  batch: b,
  batches,
  loss: 1,
  accuracy: 0.5,
  imagesPerSecond: ips,
  etaSeconds: eta
})

describe('live progress describes the stage that is running', () => {
  // Stage 1 (10 epochs) ran to its end at 1,632 img/s; stage 2 (30 epochs) starts on a slow backend.
  const events: RunEvent[] = [
    { ...run, type: 'mark', mark: { kind: 'stage', stage: 1, epoch: 0, text: 'Stage 1' } },
    { ...run, type: 'phase', text: 'Computing embeddings', progress: 1 },
    batch(1, 9, 3, 4, 1632, 0),
    {
      ...run,
      type: 'epoch',
      metrics: { stage: 1, epoch: 9, loss: 1, accuracy: 1, valLoss: 1, valAccuracy: 0.9, lr: 1e-3, seconds: 1 },
      etaSeconds: 0
    },
    { ...run, type: 'phase', text: 'Unfreezing the top layers', progress: 1 },
    { ...run, type: 'mark', mark: { kind: 'stage', stage: 2, epoch: 0, text: 'Stage 2' } }
  ]
  const atStage2 = events.reduce(nextProgress, START)
  const view = (p: ProgressFields) => progressText({ ...p, running: true, stages: [1, 2], stageEpochs: 30 })

  it('between the stage-2 mark and its first batch: no stale speed, ETA, batches or full bar', () => {
    const t = view(atStage2)
    expect(t.stage).toBe('2 (2 of 2)')
    expect(t.epoch).toBe('1 / 30')
    expect(t.batch).toBe('waiting for the first')
    expect(t.speed).toBe('measuring…')
    expect(t.eta).toBe('after the first batch')
    expect(t.fraction).toBeNull()
    expect(JSON.stringify(t)).not.toMatch(/1632|0 s|100/)
  })

  it('from the first stage-2 batch on: its own speed, ETA and fraction', () => {
    const t = view(nextProgress(atStage2, batch(2, 0, 0, 20, 3.5, 5400)))
    expect(t).toMatchObject({ batch: '1 / 20', speed: '3.5 img/s', eta: '1 h 30 min' })
    expect(t.fraction).toBeCloseTo(1 / 20 / 30)
    // A batch of a new stage arriving without its mark (older engines) resets the same way.
    const noMark = nextProgress(events.slice(0, 4).reduce(nextProgress, START), batch(2, 0, 0, 20, 3.5, 5400))
    expect(view(noMark).fraction).toBeCloseTo(1 / 20 / 30)
  })

  it('the status bar fraction is the stage fraction, unknown before the first batch', () => {
    expect(stageFraction(30, 0, 0, 0)).toBeNull()
    expect(stageFraction(30, 0, 1, 20)).toBeCloseTo(1 / 600)
    expect(stageFraction(10, 9, 4, 4)).toBe(1)
  })
})

describe('launch guard', () => {
  const estimate = (seconds: number): TrainingEstimate =>
    ({
      seconds,
      backend: 'wasm',
      perStage: [
        { part: 'stage1', label: 'Stage 1', seconds: 60, backend: 'wasm', epochs: 20, basis: '' },
        { part: 'stage2', label: 'Stage 2', seconds: seconds - 60, backend: 'cpu', epochs: 30, basis: '' }
      ]
    }) as TrainingEstimate

  it('asks before a run estimated at more than an hour, naming the estimate and the backends', () => {
    expect(longRunQuestion(estimate(3000))).toBeNull()
    expect(longRunQuestion(null)).toBeNull()
    const q = longRunQuestion(estimate(3 * 3600 + 300))!
    expect(q).toContain('3 h 05 min')
    expect(q).toContain('wasm + cpu')
    expect(q).toMatch(/Stage 2: 3 h 04 min on cpu/)
  })
})

describe('npm run bench', () => {
  it('exits non-zero when a bench fails or does not exist, zero when all pass', async () => {
    const ok = async () => ({ figure: 1 })
    const bad = async (): Promise<Record<string, number>> => {
      throw new Error('boom')
    }
    expect((await runBenches({ ok }, [])).exitCode).toBe(0)
    const failed = await runBenches({ ok, bad }, [])
    expect(failed.exitCode).toBe(1)
    expect(failed.report.results).toEqual({ ok: { figure: 1 }, bad: { error: 'boom' } })
    expect((await runBenches({ ok }, ['nope'])).exitCode).toBe(1)
  })
})

import { describe, expect, it } from 'vitest'
import { TrainingConfigSchema, type TrainingConfigInput } from '../../../src/shared/contract/training-config'
import {
  estimateTraining,
  STAGE2_FEASIBLE_SECONDS,
  type EstimateInputs
} from '../../../src/main/training/runs/calibration/estimate'
import { formatDuration } from '../../../src/shared/format-duration'
import { headFlops } from '../../../src/main/training/runs/calibration/job'

const at = '2026-01-01T00:00:00.000Z'
const DIM = 1280

/** Speeds in round numbers, so expected seconds can be written down. */
function inputs(config: TrainingConfigInput, over: Partial<EstimateInputs> = {}): EstimateInputs {
  return {
    config: TrainingConfigSchema.parse(config),
    images: { train: 1000, val: 200, test: 100 },
    numClasses: 4,
    backend: { name: 'wasm', native: false, supportsConvTraining: false },
    embed: {
      imagesPerSecond: 40,
      workers: 2,
      forwardImagesPerSecond: 20,
      loadSeconds: 0.5,
      workersStartSeconds: 1.5,
      measuredAt: at
    },
    head: {
      samplesPerSecond: 500,
      flopsPerSample: headFlops(DIM, 512, 256, 4),
      batchSize: 32,
      featureDim: DIM,
      measuredAt: at
    },
    stage2: { backend: 'cpu', trainImagesPerSecond: 0.5, forwardImagesPerSecond: 1, measuredAt: at },
    engineStartSeconds: 1,
    fromCache: true,
    ...over
  }
}

describe('estimateTraining', () => {
  it('adds embedding once, head epochs with validation, stage 2 epochs and evaluation', () => {
    const e = estimateTraining(inputs({ stage1: { epochs: 10 }, stage2: { epochs: 3 } }))
    const by = Object.fromEntries(e.perStage.map((p) => [p.part, p]))
    expect(e.perStage.map((p) => p.part)).toEqual(['setup', 'embeddings', 'stage1', 'stage2', 'evaluation'])
    expect(by.setup.seconds).toBe(1 + 2)
    expect(by.embeddings.seconds).toBeCloseTo(1300 / 40, 9)
    expect(by.stage1.seconds).toBeCloseTo(10 * (1000 / 500 + (200 * 0.35) / 500), 9)
    expect(by.stage2.seconds).toBeCloseTo(3 * (1000 / 0.5 + 200 / 1), 9)
    expect(by.stage2.backend).toBe('cpu')
    expect(by.evaluation.seconds).toBeCloseTo(100 / 1, 9)
    expect(e.seconds).toBeCloseTo(
      3 + by.embeddings.seconds + by.stage1.seconds + by.stage2.seconds + by.evaluation.seconds,
      9
    )
  })

  it('scales the measured head to the configured widths and counts augmented variants', () => {
    const base = estimateTraining(inputs({ stage2: { enabled: false } }))
    const wide = estimateTraining(inputs({ stage2: { enabled: false }, head: { fc1Units: 1024, fc2Units: 256 } }))
    const ratio = headFlops(DIM, 1024, 256, 4) / headFlops(DIM, 512, 256, 4)
    const stage1 = (e: typeof base) => e.perStage.find((p) => p.part === 'stage1')!.seconds
    expect(stage1(wide) / stage1(base)).toBeCloseTo(ratio, 6)
    const aug = estimateTraining(inputs({ stage2: { enabled: false }, stage1: { augmentVariants: 2 } }))
    expect(aug.perStage.find((p) => p.part === 'embeddings')!.seconds).toBeCloseTo((3000 + 300) / 40, 9)
  })

  it('warns plainly that stage 2 runs on cpu when wasm is active, and flags it infeasible beyond 12 h without dropping it', () => {
    const slow = estimateTraining(inputs({ stage2: { epochs: 30 } }))
    expect(slow.perStage.some((p) => p.part === 'stage2')).toBe(true)
    expect(slow.warnings[0]).toMatch(/^Stage 2 runs on the cpu backend, typically ~20× slower than wasm/)
    expect(slow.warnings[0]).toContain('20×')
    expect(slow.warnings[0]).toMatch(/Turn stage 2 off .* native backend/)
    const s2 = slow.perStage.find((p) => p.part === 'stage2')!.seconds
    expect(s2).toBeGreaterThan(STAGE2_FEASIBLE_SECONDS)
    expect(slow.stage2Feasible).toBe(false)
    expect(slow.warnings.join(' ')).toContain(`about ${formatDuration(s2)}`)
    const quick = estimateTraining(inputs({ stage2: { epochs: 1 } }))
    expect(quick.stage2Feasible).toBe(true)
  })

  it('runs stage 1 end to end on a native backend with no stage-2 backend warning', () => {
    const e = estimateTraining(
      inputs(
        { stage1: { epochs: 4 }, stage2: { epochs: 2 } },
        {
          backend: { name: 'node', native: true, supportsConvTraining: true },
          head: null,
          stage2: { backend: 'node', trainImagesPerSecond: 10, forwardImagesPerSecond: 40, measuredAt: at }
        }
      )
    )
    expect(e.perStage.map((p) => p.part)).toEqual(['setup', 'stage1', 'stage2', 'evaluation'])
    expect(e.perStage[0].seconds).toBe(1 + 0.5)
    expect(e.perStage[1].seconds).toBeCloseTo(4 * (1200 / 20), 9)
    expect(e.warnings.some((w) => w.includes('cpu backend'))).toBe(false)
  })

  it('shows the seed recipe as feasible on wasm when stage 2 is measured on ONNX Runtime, with no slow-backend warning', () => {
    const e = estimateTraining(
      inputs(
        { stage2: { epochs: 30 } },
        { stage2: { backend: 'ort', trainImagesPerSecond: 100, forwardImagesPerSecond: 250, measuredAt: at } }
      )
    )
    const s2 = e.perStage.find((p) => p.part === 'stage2')!
    expect(s2.backend).toBe('ort')
    expect(s2.seconds).toBeCloseTo(30 * (1000 / 100 + 200 / 250), 9)
    expect(e.stage2Feasible).toBe(true)
    expect(e.warnings.some((w) => w.includes('slower'))).toBe(false)
    // The same recipe measured on the tfjs cpu path stays flagged.
    expect(estimateTraining(inputs({ stage2: { epochs: 30 } })).stage2Feasible).toBe(false)
  })

  it('says when there is nothing to train and when there is no test split', () => {
    const e = estimateTraining(
      inputs({ stage1: { enabled: false }, stage2: { enabled: false } }, { images: { train: 10, val: 5, test: 0 } })
    )
    expect(e.seconds).toBe(0)
    expect(e.warnings).toEqual(
      expect.arrayContaining([expect.stringContaining('nothing to train'), expect.stringContaining('no test split')])
    )
  })

  it('formats durations for people', () => {
    expect([
      formatDuration(8.4),
      formatDuration(760),
      formatDuration(3 * 3600 + 5 * 60),
      formatDuration(3 * 86400)
    ]).toEqual(['8 s', '12 min 40 s', '3 h 05 min', '3.0 days'])
  })
})

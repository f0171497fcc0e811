import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { RunSummary } from '../../../src/shared/contract'
import { SEED_RECIPE, TrainingConfigSchema } from '../../../src/shared/contract/training-config'
import { checkConfig } from '../../../src/renderer/src/training/config-validation'
import { diffConfigs } from '../../../src/renderer/src/training/config-diff'
import { BUILTIN_PRESETS, parseUserPresets, withPreset } from '../../../src/renderer/src/training/presets'
import { markLabel, RunCurves, SMOOTHING } from '../../../src/renderer/src/training/run-curves'
import { tableRows } from '../../../src/renderer/src/training/run-table'
import {
  configFields,
  getAt,
  rangeText,
  setAt,
  type FormField,
  type LeafField
} from '../../../src/renderer/src/training/schema-fields'

const leaves = (fs: FormField[]): LeafField[] => fs.flatMap((f) => (f.kind === 'group' ? leaves(f.children) : [f]))

describe('form generated from the config schema', () => {
  it('has one field per schema leaf, with the seed recipe as defaults and the schema bounds', () => {
    const fields = leaves(configFields())
    const paths = fields.map((f) => f.path.join('.'))
    const schemaLeaves: string[] = []
    const walk = (node: { properties?: Record<string, unknown> }, prefix: string[]) => {
      for (const [k, v] of Object.entries(node.properties ?? {})) {
        const child = v as { type?: string; properties?: Record<string, unknown> }
        if (child.type === 'object') walk(child, [...prefix, k])
        else schemaLeaves.push([...prefix, k].join('.'))
      }
    }
    walk(z.toJSONSchema(TrainingConfigSchema, { io: 'input' }) as never, [])
    expect(paths).toEqual(schemaLeaves)
    for (const f of fields)
      if (f.path[0] !== 'backbone') expect(f.default, f.path.join('.')).toEqual(getAt(SEED_RECIPE, f.path))
    const lr = fields.find((f) => f.path.join('.') === 'stage2.learningRate')!
    expect([lr.kind, lr.title, rangeText(lr)]).toEqual(['number', 'Learning rate', '(0, 1]'])
    expect(fields.find((f) => f.path.join('.') === 'stage1.mode')!.options).toEqual([
      'auto',
      'embeddings',
      'end-to-end'
    ])
    expect(rangeText(fields.find((f) => f.key === 'batchSize')!)).toBe('[1, 1024]')
  })

  it('edits nested values immutably', () => {
    const a = { stage1: { epochs: 3 }, seed: 1 }
    const b = setAt(a, ['stage1', 'learningRate'], 0.01)
    expect(b).toEqual({ stage1: { epochs: 3, learningRate: 0.01 }, seed: 1 })
    expect(a).toEqual({ stage1: { epochs: 3 }, seed: 1 })
    expect(getAt(b, ['stage1', 'learningRate'])).toBe(0.01)
    expect(getAt(b, ['nope', 'x'])).toBeUndefined()
  })
})

describe('inline validation with the engine schema', () => {
  it('keys messages by field path and fills defaults when valid', () => {
    const bad = checkConfig({ inputSize: 8, stage2: { learningRate: 'fast' as never }, head: { dropout1: 1 } })
    expect(bad.config).toBeNull()
    expect(bad.errors).toMatchObject({
      inputSize: 'must be ≥ 32',
      'stage2.learningRate': 'must be a number',
      'head.dropout1': 'must be < 1'
    })
    const path = checkConfig({ backbone: { kind: 'keras-h5' } })
    expect(path.errors['backbone.path']).toMatch(/a path is required/)
    const ok = checkConfig({ stage1: { epochs: 3 } })
    expect(ok.errors).toEqual({})
    expect(ok.config?.stage2.learningRate).toBe(1e-4)
  })

  it('refuses a config with nothing to train', () => {
    expect(checkConfig({ stage1: { enabled: false }, stage2: { epochs: 0 } }).errors['']).toMatch(/nothing to train/)
  })
})

describe('presets and config diff', () => {
  it('offers the seed recipe and the quick CPU preset, and stores user presets by name', () => {
    expect(BUILTIN_PRESETS.map((p) => p.name)).toEqual(['Seed recipe', 'Quick CPU (stage 1 on cached embeddings)'])
    const quick = TrainingConfigSchema.parse(BUILTIN_PRESETS[1].config)
    expect([quick.stage2.enabled, quick.stage1.mode]).toEqual([false, 'embeddings'])
    const user = parseUserPresets([{ name: 'a', config: { seed: 1 } }, { nope: true }, 'x'])
    expect(user.map((p) => p.name)).toEqual(['a'])
    expect(withPreset(user, 'a', { seed: 2 })).toEqual([{ name: 'a', config: { seed: 2 } }])
  })

  it('shows only the settings that differ', () => {
    const a = TrainingConfigSchema.parse({})
    const b = TrainingConfigSchema.parse({ stage1: { epochs: 5 }, augmentation: { enabled: false } })
    expect(diffConfigs([a, b, a])).toEqual([
      { path: 'stage1.epochs', values: [20, 5, 20] },
      { path: 'augmentation.enabled', values: [true, false, true] }
    ])
    expect(diffConfigs([a, a])).toEqual([])
  })
})

describe('run curves', () => {
  const m = (stage: 1 | 2, epoch: number, loss: number) => ({
    stage,
    epoch,
    loss,
    accuracy: 0.5,
    valLoss: loss + 0.1,
    valAccuracy: 0.4,
    lr: 1e-3,
    seconds: 1
  })

  it('continues stage-2 epochs after stage 1 on one axis and places marks between epochs', () => {
    const c = RunCurves.fromDetail({
      epochs: [m(2, 0, 0.5), m(1, 0, 1), m(1, 1, 0.8)],
      marks: [
        { kind: 'stage', stage: 2, epoch: 0, text: 'Stage 2' },
        { kind: 'lr-drop', stage: 1, epoch: 1, text: 'learning rate 1.0e-3 → 5.0e-4' },
        { kind: 'checkpoint', stage: 1, epoch: 1, text: 'best' }
      ]
    })
    expect(c.loss).toEqual([
      { x: 1, y: 1 },
      { x: 2, y: 0.8 },
      { x: 3, y: 0.5 }
    ])
    expect(c.marks.map((k) => [k.kind, k.x, k.label])).toEqual([
      ['stage', 2.5, 'Stage 2'],
      ['lr-drop', 2, 'LR 5e-4']
    ])
  })

  it('smooths batch losses with a bias-corrected moving average', () => {
    const c = new RunCurves()
    c.addBatch(1, 0, 0, 2, 2)
    c.addBatch(1, 0, 1, 2, 1)
    expect(c.batchLoss).toEqual([
      { x: 0.5, y: 2 },
      { x: 1, y: 1 }
    ])
    expect(c.batchSmooth[0].y).toBeCloseTo(2, 12)
    const ema = SMOOTHING * (1 - SMOOTHING) * 2 + (1 - SMOOTHING) * 1
    expect(c.batchSmooth[1].y).toBeCloseTo(ema / (1 - SMOOTHING ** 2), 12)
  })

  it('reports a repeated epoch (a resumed run) so charts redraw', () => {
    const c = new RunCurves()
    expect(c.addEpoch(m(1, 0, 1))).toBe(true)
    expect(c.addEpoch(m(1, 0, 0.7))).toBe(false)
    expect(c.loss).toEqual([{ x: 1, y: 0.7 }])
    expect(markLabel({ kind: 'early-stop', stage: 1, epoch: 3, text: 'val_loss did not improve' })).toBe('early stop')
  })
})

describe('runs table', () => {
  const run = (
    id: number,
    name: string,
    test: number | null,
    status: RunSummary['status'] = 'completed'
  ): RunSummary => ({
    id,
    name,
    status,
    datasetId: 1,
    datasetName: 'mri',
    versionId: 1,
    versionNumber: 1,
    backbone: 'nsfwjs',
    backend: 'wasm',
    stage: 1,
    bestValAccuracy: null,
    evaluationSplit: test === null ? null : 'test',
    evaluationAccuracy: test,
    macroF1: null,
    verdict: null,
    durationSeconds: id,
    startedAt: null,
    finishedAt: null,
    createdAt: '',
    note: id === 2 ? 'tried balanced weights' : '',
    error: null,
    modelDir: null
  })
  const runs = [run(1, 'b', 0.7), run(2, 'a', null, 'stopped'), run(3, 'c', 0.9)]

  it('sorts with missing values last in both directions and filters by text and status', () => {
    const by = (desc: boolean) =>
      tableRows(runs, { text: '', status: 'all' }, { column: 'evaluationAccuracy', desc }).map((r) => r.id)
    expect(by(true)).toEqual([3, 1, 2])
    expect(by(false)).toEqual([1, 3, 2])
    expect(tableRows(runs, { text: '', status: 'all' }, { column: 'name', desc: false }).map((r) => r.name)).toEqual([
      'a',
      'b',
      'c'
    ])
    expect(
      tableRows(runs, { text: 'BALANCED', status: 'all' }, { column: 'name', desc: false }).map((r) => r.id)
    ).toEqual([2])
    expect(
      tableRows(runs, { text: '', status: 'completed' }, { column: 'name', desc: false }).map((r) => r.id)
    ).toEqual([1, 3])
  })
})

import { describe, expect, it } from 'vitest'
import type { DatasetVersion, RunDetail } from '../../../src/shared/contract'
import { SEED_RECIPE } from '../../../src/shared/contract/training-config'
import { renderRunReport } from '../../../src/main/training/report/render-report'
import { reportSlug } from '../../../src/main/training/report/export-report'

const classNames = ['glioma', 'a very long class name indeed', '<b>odd</b>']
const run: RunDetail = {
  id: 7,
  name: 'run <script>alert(1)</script>',
  status: 'completed',
  datasetId: 1,
  datasetName: 'mri & friends',
  versionId: 3,
  versionNumber: 2,
  backbone: 'nsfwjs',
  backend: 'wasm',
  stage: 1,
  bestValAccuracy: 0.8,
  evaluationSplit: 'test',
  evaluationAccuracy: 0.75,
  macroF1: 0.7,
  verdict: null,
  durationSeconds: 125,
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:02:05.000Z',
  createdAt: '2026-01-01T10:00:00.000Z',
  note: 'first try',
  error: null,
  modelDir: '/ws/models/run-7/model',
  config: SEED_RECIPE,
  classNames,
  backboneInfo: {
    kind: 'nsfwjs',
    description: 'MobileNetV2 from nsfwjs',
    inputScaling: '[0,1]',
    sha256: 'ab'.repeat(32)
  },
  epochs: [
    { stage: 1, epoch: 0, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.4, lr: 1e-3, seconds: 2 },
    { stage: 1, epoch: 1, loss: 0.8, accuracy: 0.6, valLoss: 0.9, valAccuracy: 0.6, lr: 5e-4, seconds: 2 }
  ],
  marks: [
    { kind: 'stage', stage: 1, epoch: 0, text: 'Stage 1' },
    { kind: 'lr-drop', stage: 1, epoch: 1, text: 'learning rate 1.0e-3 → 5.0e-4' }
  ],
  evaluation: {
    split: 'test',
    classNames,
    n: 6,
    accuracy: 0.75,
    macroF1: 0.7,
    weightedF1: 0.72,
    perClass: classNames.map((name) => ({ name, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })),
    confusion: [
      [2, 0, 0],
      [1, 1, 0],
      [0, 0, 2]
    ],
    roc: classNames.map((name) => ({ name, auc: 0.8, fpr: [0, 0.5, 1], tpr: [0, 1, 1] })),
    ece: 0.05,
    reliability: [{ lower: 0, upper: 0.5, count: 3, confidence: 0.4, accuracy: 0.33 }],
    macroAuc: 0.8,
    misclassified: [
      { itemId: 9, path: '/data/x.dcm', frame: 0, trueClass: 'glioma', predicted: '<b>odd</b>', confidence: 0.9 }
    ]
  },
  log: []
}
const version: DatasetVersion = {
  id: 3,
  datasetId: 1,
  number: 2,
  note: '',
  createdAt: '2026-01-01T09:00:00.000Z',
  splitConfig: { train: 0.7, val: 0.15, test: 0.15, seed: 42, groupBy: { kind: 'patient' } },
  classes: classNames,
  counts: { train: { glioma: 10 }, val: { glioma: 2 }, test: { glioma: 3 }, unassigned: {} },
  items: 15,
  excluded: 1,
  fingerprint: 'f'.repeat(64)
}

describe('run report', () => {
  const html = renderRunReport({ run, version, appVersion: '0.1.0', generatedAt: '2026-01-02T00:00:00.000Z' })

  it('escapes every user-given text', () => {
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('run &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('mri &amp; friends')
    expect(html).not.toContain('<b>odd</b>')
  })

  it('holds the model card, data, metrics, plots and config without fetching anything', () => {
    for (const text of [
      'f'.repeat(64),
      'ab'.repeat(32),
      'MobileNetV2 from nsfwjs',
      'wasm',
      'first try',
      'v2 (id 3)',
      '/data/x.dcm',
      'seed 42, grouped by patient'
    ]) {
      expect(html).toContain(text)
    }
    // Loss, accuracy, learning rate, two confusion matrices, ROC, reliability.
    expect(html.match(/<svg /g)).toHaveLength(7)
    expect(html).toContain('<code>stage2.unfreezeTopLayers</code></td><td>30</td>')
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(/i)
  })

  it('makes file-name-safe report names', () => {
    expect(reportSlug('Glioma vs. rest / 224 px')).toBe('Glioma-vs-rest-224-px')
    expect(reportSlug('///')).toBe('run')
  })
})

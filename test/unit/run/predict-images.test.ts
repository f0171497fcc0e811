import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadRandomBackbone } from '../../../src/main/training/backbone/random-source'
import { buildHead } from '../../../src/main/training/head/build-head'
import { backboneFeatureDim, composeModel, type ComposedModel } from '../../../src/main/training/head/compose-model'
import type { EngineRunEvent, JobItem } from '../../../src/main/training/job/job'
import { imageSource } from '../../../src/main/training/job/image-source'
import { predictImages, predictOnOrt } from '../../../src/main/training/job/predict-images'
import { predictSource } from '../../../src/main/training/loop/evaluate-source'
import { imageTarget } from '../../../src/main/training/loop/target'
import { makePreprocessSpec } from '../../../src/main/training/preprocess/spec'
import { setOrtLoader } from '../../../src/main/onnx/ort-runtime'
import { writeSeparableDataset } from './fixtures'

let dir = ''
let items: JobItem[] = []
let composed: ComposedModel
const spec = makePreprocessSpec(32, '[-1,1]')
const source = () => imageSource(items, 2, spec, { batchSize: 8, shuffle: false })

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-predict-'))
  items = await writeSeparableDataset(path.join(dir, 'data'), 6)
  const backbone = loadRandomBackbone(32, 3).model
  // The seeded random backbone's activations fade to ~1e-11 by its top: scaling the last 1×1 kernel up
  // makes the features, and so the predictions, differ from image to image.
  const conv = backbone.getLayer('Conv_1')
  conv.setWeights(conv.getWeights().map((w) => w.mul(1e11)))
  composed = composeModel(
    backbone,
    buildHead({ numClasses: 2, fc1Units: 16, fc2Units: 8, seed: 5 }, backboneFeatureDim(backbone)),
    {
      name: 'c'
    }
  )
})
afterAll(() => {
  setOrtLoader()
  composed?.model.dispose()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('evaluation of the whole model on ONNX Runtime', () => {
  it('gives the tfjs predictions within 1e-4, row for row, on images whose predictions differ', async () => {
    const ref = await predictSource(imageTarget(composed, { trainableTopLayers: 0 }), source())
    const ort = await predictOnOrt(composed.model, 'out_relu', source())
    expect(Array.from(ort.indices)).toEqual(Array.from(ref.indices))
    expect(Array.from(ort.labels)).toEqual(Array.from(ref.labels))
    expect(ort.probs.length).toBe(items.length * 2)
    let maxDiff = 0
    for (let i = 0; i < ref.probs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ort.probs[i] - ref.probs[i]))
    expect(maxDiff).toBeLessThan(1e-4)
    const p0 = Array.from(ref.probs.filter((_, i) => i % 2 === 0))
    expect(Math.max(...p0) - Math.min(...p0)).toBeGreaterThan(0.01)
  }, 60_000)

  it('falls back to tfjs and says why when ONNX Runtime cannot load', async () => {
    const log: string[] = []
    const emit = (e: EngineRunEvent) => e.type === 'log' && log.push(e.line)
    const onOrt = await predictImages(composed, 'wasm', source(), emit, new AbortController().signal)
    expect(log).toEqual(['evaluation ran on ONNX Runtime (the saved model as its ONNX classifier)'])
    setOrtLoader(() => {
      throw new Error('no native library for this platform')
    })
    const onTfjs = await predictImages(composed, 'wasm', source(), emit, new AbortController().signal)
    expect(log[1]).toMatch(/^evaluation runs on tfjs \(wasm\): .*no native library/)
    for (let i = 0; i < onOrt.probs.length; i++) expect(Math.abs(onOrt.probs[i] - onTfjs.probs[i])).toBeLessThan(1e-4)
  }, 60_000)
})

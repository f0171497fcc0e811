import { afterAll, describe, expect, it } from 'vitest'
import { setOrtLoader } from '../../../src/main/onnx/ort-runtime'
import { measureSpeeds } from '../../../src/main/training/runs/calibration/measure'

const request = {
  inputSize: 32,
  samplePaths: [],
  embed: false,
  head: { fc1Units: 64, fc2Units: 32, numClasses: 3, batchSize: 32 },
  stage2: null
}

afterAll(() => setOrtLoader())

describe('calibration of stage 1 head training', () => {
  it('times the ONNX Runtime head stage 1 trains on, and the tfjs head where ONNX Runtime cannot load', async () => {
    const ort = await measureSpeeds({ kind: 'random' }, request, new AbortController().signal)
    expect(ort.head?.backend).toBe('ort')
    expect(ort.head?.samplesPerSecond).toBeGreaterThan(0)
    setOrtLoader(() => {
      throw new Error('no native library for this platform')
    })
    const tfjs = await measureSpeeds({ kind: 'random' }, request, new AbortController().signal)
    // The tfjs backend the engine selected under ONNX Runtime's rung (wasm or cpu here).
    expect(tfjs.head?.backend).toMatch(/^(wasm|cpu|node|node-gpu)$/)
    expect(tfjs.head?.samplesPerSecond).toBeGreaterThan(0)
  }, 120_000)
})

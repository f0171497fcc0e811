import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterEach, describe, expect, it } from 'vitest'
import { engineBackend } from '../../../src/main/compute/engine-backend'
import { resetBackendForTests, selectBackend, type NativeRequire } from '../../../src/main/compute/backend'
import { setOrtLoader } from '../../../src/main/onnx/ort-runtime'
import { builtEngine } from '../../helpers/engine'
import { runInEngine } from '../../../src/main/engine/engine-host'
import { classifyJob, type ClassifiedRow } from '../../../src/main/inference/job'
import { tempDir, writePatientFolder, writeUntrainedModel } from '../inference/fixtures'

/**
 * A stand-in for @tensorflow/tfjs-node(-gpu), which cannot install here: like the real package, requiring
 * it registers a "tensorflow" backend on the shared tfjs-core; its backend carries `isUsingGpuDevice` as
 * tfjs-node's does. Everything after the require runs the product's own code path.
 */
function standIn(gpu: boolean | null, nodeInstalled = false): NativeRequire {
  return (pkg) => {
    if (pkg === '@tensorflow/tfjs-node' && !nodeInstalled) throw new Error(`Cannot find module '${pkg}'`)
    if (pkg === '@tensorflow/tfjs-node-gpu' && gpu === null) throw new Error(`Cannot find module '${pkg}'`)
    if (!tf.findBackend('tensorflow')) {
      const Cpu = (tf.findBackend('cpu') as object).constructor as new () => tf.KernelBackend
      tf.registerBackend('tensorflow', () => Object.assign(new Cpu(), { isUsingGpuDevice: gpu === true }))
    }
    return {}
  }
}

afterEach(async () => {
  delete process.env.NEUROPATH_DISABLE_ORT
  if (tf.findBackend('tensorflow')) {
    await tf.setBackend('cpu')
    tf.removeBackend('tensorflow')
  }
  setOrtLoader()
  resetBackendForTests()
})

const byName = (info: Awaited<ReturnType<typeof selectBackend>>, name: string) =>
  info.candidates.find((c) => c.name === name)

describe('backend ladder: node-gpu → ort → node → wasm → cpu', () => {
  it('takes node-gpu only when TensorFlow itself reports a GPU device', async () => {
    resetBackendForTests(standIn(true))
    const info = await selectBackend()
    expect(info.active).toBe('node-gpu')
    expect(info.tfActive).toBe('node-gpu')
    expect(tf.getBackend()).toBe('tensorflow')
    expect(byName(info, 'ort')?.reason).toBe('not used: node-gpu runs the backbone')
    expect(byName(info, 'wasm')?.reason).toMatch(/not used: node-gpu/)
    expect(info.supportsConvTraining).toBe(true)
  })

  it('skips a tfjs-node-gpu that runs on the CPU (no CUDA 11.2/cuDNN 8.1), naming why, and uses it as node', async () => {
    resetBackendForTests(standIn(false))
    const info = await selectBackend()
    expect(byName(info, 'node-gpu')).toMatchObject({ available: false })
    expect(byName(info, 'node-gpu')?.reason).toMatch(/TensorFlow uses no GPU .*CUDA 11\.2/)
    expect(info.active).toBe('ort')
    expect(byName(info, 'ort')).toMatchObject({ available: true, reason: null, usedFor: 'backbone forward passes' })
    expect(info.tfActive).toBe('node')
    expect(tf.getBackend()).toBe('tensorflow')
  })

  it('without native packages: ort for the backbone, wasm for the rest, with reasons for node-gpu and node', async () => {
    resetBackendForTests(standIn(null))
    const info = await selectBackend()
    expect(info.active).toBe('ort')
    expect(info.tfActive).toBe('wasm')
    expect(byName(info, 'node-gpu')?.reason).toMatch(/not installed/)
    expect(byName(info, 'node')?.reason).toMatch(/not installed/)
    expect(byName(info, 'cpu')?.reason).toMatch(/not used: wasm/)
    expect(info.supportsConvTraining).toBe(false)
  })

  it('falls back to the tfjs ladder when ONNX Runtime is disabled or cannot load', async () => {
    process.env.NEUROPATH_DISABLE_ORT = '1'
    resetBackendForTests(standIn(null))
    setOrtLoader()
    const info = await selectBackend()
    expect(info.active).toBe('wasm')
    expect(byName(info, 'ort')).toMatchObject({ available: false, reason: 'disabled by NEUROPATH_DISABLE_ORT=1' })
  })
})

describe('engine probe', () => {
  it('reports what an engine process selects, and an engine without ONNX Runtime says why', async () => {
    const info = await engineBackend(builtEngine())
    expect(info.measuredIn).toBe('engine')
    expect(info.active).toBe('ort')
    expect(info.candidates.map((c) => c.name)).toEqual(['node-gpu', 'ort', 'node', 'wasm', 'cpu'])

    process.env.NEUROPATH_DISABLE_ORT = '1'
    const without = await engineBackend(builtEngine())
    expect(without.active).toBe('wasm')
    expect(without.candidates.find((c) => c.name === 'ort')?.reason).toBe('disabled by NEUROPATH_DISABLE_ORT=1')
  })
})

describe('classification where ONNX Runtime cannot load', () => {
  it('still classifies through an engine process, on the tfjs fallback, with the same probabilities', async () => {
    const tmp = tempDir('ladder')
    try {
      const modelDir = await writeUntrainedModel(path.join(tmp.dir, 'model'), 64, ['a', 'b', 'c'], 'nsfwjs')
      const patient = await writePatientFolder(path.join(tmp.dir, 'patient'))
      const classify = async (env: NodeJS.ProcessEnv) => {
        const rows: ClassifiedRow[] = []
        const res = await runInEngine({
          ...builtEngine(),
          job: classifyJob,
          params: { kind: 'classify', jobId: 1, modelDir, folder: patient.root, saliency: true },
          env,
          onEvent: (e) => {
            if (e.type === 'results') rows.push(...e.rows)
          }
        })
        rows.sort((x, y) => `${x.path}#${x.frame}`.localeCompare(`${y.path}#${y.frame}`))
        return { res, rows }
      }
      const ort = await classify({})
      const fallback = await classify({ NEUROPATH_DISABLE_ORT: '1' })
      expect(ort.res.engine).toMatch(/^onnxruntime /)
      expect(ort.res.backend).toBe('ort')
      expect(fallback.res.engine).toBe('tfjs wasm (fused plan, in-process)')
      expect(fallback.res.backend).toBe('wasm')
      expect(fallback.res.classified).toBe(patient.truth.size)
      expect(fallback.rows.map((r) => `${r.path}#${r.frame}`)).toEqual(ort.rows.map((r) => `${r.path}#${r.frame}`))
      let diff = 0
      fallback.rows.forEach((r, i) =>
        r.probabilities.forEach((p, k) => (diff = Math.max(diff, Math.abs(p - ort.rows[i].probabilities[k]))))
      )
      expect(diff).toBeLessThan(1e-4)
      // Grad-CAM maps come from the same feature map: identical after quantisation, up to a rounding step.
      fallback.rows.forEach((r, i) =>
        r.cam!.forEach((b, k) => expect(Math.abs(b - ort.rows[i].cam![k])).toBeLessThanOrEqual(1))
      )
    } finally {
      tmp.cleanup()
    }
  }, 120_000)
})

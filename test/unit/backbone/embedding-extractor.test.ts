import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetBackendForTests, selectBackend } from '../../../src/main/compute/backend'
import { setOrtLoader } from '../../../src/main/onnx/ort-runtime'
import { EmbeddingCache } from '../../../src/main/training/backbone/embedding-cache'
import { EmbeddingExtractor, type EmbedItem } from '../../../src/main/training/backbone/embedding-extractor'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { loadModelInput } from '../../../src/main/training/preprocess/load-model-input'
import { makePreprocessSpec } from '../../../src/main/training/preprocess/spec'

const SIZE = 64
let dir: string
let items: EmbedItem[]

/** Reference: preprocess each file, LayersModel.predict, spatial mean: the plain single-process path. */
async function referenceEmbeddings(list: EmbedItem[]): Promise<Float32Array> {
  const { model, source } = await loadBackbone({ kind: 'nsfwjs', inputSize: SIZE })
  const spec = makePreprocessSpec(SIZE, source.inputScaling)
  const inputs = await Promise.all(list.map((it) => loadModelInput(it.path, spec)))
  const x = tf.tensor4d(
    inputs.reduce((acc, v, i) => (acc.set(v, i * v.length), acc), new Float32Array(inputs.length * SIZE * SIZE * 3)),
    [list.length, SIZE, SIZE, 3]
  )
  const y = tf.tidy(() => tf.mean(model.predict(x) as tf.Tensor4D, [1, 2]))
  const out = y.dataSync() as Float32Array
  tf.dispose([x, y])
  model.dispose()
  return out
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

beforeAll(async () => {
  await selectBackend()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-embed-'))
  items = []
  for (let i = 0; i < 10; i++) {
    // Distinct images: a diagonal gradient with a per-image colour and a bright square at a per-image place.
    const w = 80
    const buf = Buffer.alloc(w * w * 3)
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3
        const inSquare = Math.abs(x - 8 * i - 4) < 6 && Math.abs(y - 40) < 6
        buf[o] = inSquare ? 255 : (x + y + 20 * i) % 256
        buf[o + 1] = inSquare ? 255 : (3 * x + 25 * i) % 256
        buf[o + 2] = inSquare ? 255 : (2 * y) % 256
      }
    }
    const file = path.join(dir, `img${i}.png`)
    await sharp(buf, { raw: { width: w, height: w, channels: 3 } })
      .png()
      .toFile(file)
    items.push({ path: file })
  }
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('EmbeddingExtractor', () => {
  it('gives the same embeddings through ONNX Runtime as LayersModel.predict, in order', async () => {
    const reference = await referenceEmbeddings(items)
    const progress: number[] = []
    const ex = new EmbeddingExtractor({ backbone: { kind: 'nsfwjs', inputSize: SIZE }, batchSize: 3 })
    const got = await ex.extract(items, { onProgress: (p) => progress.push(p.done) })
    const info = ex.info
    await ex.close()
    expect(info?.backend).toBe('ort')
    expect(info?.engine).toMatch(/^onnxruntime \d+\.\d+\.\d+ \(cpu, \d+ threads?\)$/)
    expect(info?.featureDim).toBe(1280)
    expect(info?.preprocess.scaling).toBe('[0,1]')
    expect(got.dim).toBe(1280)
    expect(got.count).toBe(10)
    expect(got.data.length).toBe(10 * 1280)
    expect(progress[0]).toBe(0)
    expect(progress[progress.length - 1]).toBe(10)
    // Rows differ between images (the order is kept, not just the set).
    expect(maxAbsDiff(got.data.subarray(0, 1280), got.data.subarray(1280, 2560))).toBeGreaterThan(1e-3)
    expect(maxAbsDiff(got.data, reference)).toBeLessThan(1e-4)
  })

  it('falls back to the tfjs plan, with the same embeddings, where ONNX Runtime cannot load', async () => {
    const reference = await referenceEmbeddings(items)
    setOrtLoader(() => {
      throw new Error('libonnxruntime.so.1: cannot open shared object file')
    })
    resetBackendForTests()
    try {
      const backend = await selectBackend()
      expect(backend.active).toBe('wasm')
      expect(backend.candidates.find((c) => c.name === 'ort')?.reason).toMatch(
        /onnxruntime-node could not load: .*so\.1/
      )
      const before = tf.memory().numTensors
      const ex = new EmbeddingExtractor({ backbone: { kind: 'nsfwjs', inputSize: SIZE }, batchSize: 4 })
      const local = await ex.extract(items)
      expect(ex.info?.backend).toBe('wasm')
      expect(ex.info?.engine).toBe('tfjs wasm (fused plan, in-process)')
      await ex.close()
      expect(tf.memory().numTensors).toBe(before)
      expect(maxAbsDiff(local.data, reference)).toBeLessThan(1e-4)
    } finally {
      setOrtLoader()
      resetBackendForTests()
      await selectBackend()
    }
  })

  it('reads repeated work from the cache and recomputes when the variant changes', async () => {
    const cache = new EmbeddingCache(path.join(dir, 'cache'))
    const ex = new EmbeddingExtractor({ backbone: { kind: 'nsfwjs', inputSize: 32 }, cache })
    const first = await ex.extract(items.slice(0, 4))
    expect(first.fromCache).toBe(0)
    expect(ex.info?.engine).toMatch(/^onnxruntime /)
    const second = await ex.extract(items.slice(0, 6))
    expect(second.fromCache).toBe(4)
    expect(maxAbsDiff(second.data.subarray(0, 4 * 1280), first.data)).toBe(0)
    const flipped = await ex.extract(items.slice(0, 2), {
      variant: 1,
      augment: (x) => {
        // Horizontal flip of the 32×32×3 input.
        const out = new Float32Array(x.length)
        for (let y = 0; y < 32; y++)
          for (let c = 0; c < 32; c++)
            out.set(x.subarray((y * 32 + c) * 3, (y * 32 + c) * 3 + 3), (y * 32 + 31 - c) * 3)
        return out
      }
    })
    expect(flipped.fromCache).toBe(0)
    expect(maxAbsDiff(flipped.data, first.data.subarray(0, 2 * 1280))).toBeGreaterThan(1e-4)
    await ex.close()
  })

  it('cancels on abort with CANCELLED and stays usable', async () => {
    const ex = new EmbeddingExtractor({
      backbone: { kind: 'random', inputSize: 32, seed: 1 },
      batchSize: 1
    })
    const many = Array.from({ length: 40 }, (_, i) => items[i % items.length])
    const ctl = new AbortController()
    let seen = 0
    await expect(
      ex.extract(many, {
        signal: ctl.signal,
        onProgress: (p) => {
          seen = p.done
          if (p.done >= 2) ctl.abort()
        }
      })
    ).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(seen).toBeLessThan(many.length)
    const again = await ex.extract(items.slice(0, 2))
    expect(again.count).toBe(2)
    await ex.close()
  })

  it('names the file that cannot be decoded', async () => {
    const bad = path.join(dir, 'bad.png')
    fs.writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))
    const ex = new EmbeddingExtractor({ backbone: { kind: 'random', inputSize: 32, seed: 1 } })
    await expect(ex.extract([items[0], { path: bad }])).rejects.toThrow(/bad\.png/)
    await ex.close()
  })
})

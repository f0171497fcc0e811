import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Batch } from '../../../src/main/training/loop/batch-source'
import { balancedClassWeights } from '../../../src/main/training/loop/class-weights'
import { createEmbeddingSource } from '../../../src/main/training/loop/embedding-source'
import { createLoaderSource } from '../../../src/main/training/loop/loader-source'
import { prefetch } from '../../../src/main/training/loop/prefetch'
import { deriveSeed, mulberry32, shuffledIndices } from '../../../src/main/training/loop/random'
import { useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const dispose = (b: Batch): void => {
  b.x.dispose()
  b.y.dispose()
}

async function collect(
  it: AsyncIterable<Batch>
): Promise<{ rows: number[][]; labels: number[]; indices: number[]; sizes: number[] }> {
  const out = { rows: [] as number[][], labels: [] as number[], indices: [] as number[], sizes: [] as number[] }
  for await (const b of it) {
    out.rows.push(...(b.x.arraySync() as number[][]))
    out.labels.push(...b.labels)
    out.indices.push(...b.indices)
    out.sizes.push(b.labels.length)
    expect(Array.from(tf.tidy(() => tf.argMax(b.y, -1).dataSync()))).toEqual(Array.from(b.labels))
    dispose(b)
  }
  return out
}

describe('seeded randomness', () => {
  it('repeats for a seed and separates labels', () => {
    const a = mulberry32(3)
    const b = mulberry32(3)
    const xs = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs)
    xs.forEach((v) => expect(v >= 0 && v < 1).toBe(true))
    expect(deriveSeed(1, 'shuffle', 0)).toBe(deriveSeed(1, 'shuffle', 0))
    const seeds = new Set([
      deriveSeed(1, 'shuffle', 0),
      deriveSeed(1, 'shuffle', 1),
      deriveSeed(1, 'step', 0),
      deriveSeed(2, 'shuffle', 0)
    ])
    expect(seeds.size).toBe(4)
    const perm = Array.from(shuffledIndices(50, mulberry32(1)))
    expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(perm).not.toEqual(Array.from({ length: 50 }, (_, i) => i))
  })
})

describe('createEmbeddingSource', () => {
  const n = 10
  const dim = 3
  const rows = Float32Array.from({ length: n * dim }, (_, i) => i)
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3)

  it('yields every row once per epoch in batches, with matching labels', async () => {
    const src = createEmbeddingSource(rows, dim, labels, 3, { batchSize: 4 })
    const e = await collect(src.batches(1))
    expect(e.sizes).toEqual([4, 4, 2])
    expect([...e.indices].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
    e.indices.forEach((idx, r) => {
      expect(e.rows[r]).toEqual([idx * 3, idx * 3 + 1, idx * 3 + 2])
      expect(e.labels[r]).toBe(idx % 3)
    })
  })

  it('shuffles by epoch seed only, and keeps order when shuffle is off', async () => {
    const src = createEmbeddingSource(rows, dim, labels, 3, { batchSize: 4 })
    const a = await collect(src.batches(7))
    const b = await collect(src.batches(7))
    const c = await collect(src.batches(8))
    expect(b.indices).toEqual(a.indices)
    expect(c.indices).not.toEqual(a.indices)
    const ordered = await collect(createEmbeddingSource(rows, dim, labels, 3, { shuffle: false }).batches(7))
    expect(ordered.indices).toEqual(Array.from({ length: n }, (_, i) => i))
  })

  it('rejects rows that do not match the dimensions and out-of-range labels', () => {
    expect(() => createEmbeddingSource(rows.subarray(1), dim, labels, 3)).toThrow(/29 floats is not 10 rows/)
    expect(() => createEmbeddingSource(rows, dim, labels, 2)).toThrow(/label 2 of row 2/)
  })
})

describe('prefetch and createLoaderSource', () => {
  it('loads the next batch while the current one is in use, and frees unconsumed batches', async () => {
    const events: string[] = []
    const src = createLoaderSource({
      labels: Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]),
      numClasses: 2,
      batchSize: 2,
      shuffle: false,
      load: async (idx) => {
        events.push(`load ${idx[0]}`)
        await new Promise((r) => setTimeout(r, 5))
        return tf.tensor4d(Float32Array.from(idx), [idx.length, 1, 1, 1])
      }
    })
    const before = tf.memory().numTensors
    for await (const b of prefetch(src.batches(0), dispose)) {
      events.push(`use ${b.indices[0]}`)
      dispose(b)
      if (b.indices[0] === 2) break
    }
    // Batch 4 was requested while batch 2 was in use; it was never consumed and was freed.
    expect(events).toEqual(['load 0', 'load 2', 'use 0', 'load 4', 'use 2'])
    await new Promise((r) => setTimeout(r, 20))
    expect(tf.memory().numTensors).toBe(before)
  })

  it('reports a loader that returns the wrong number of rows', async () => {
    const src = createLoaderSource({
      labels: Int32Array.from([0, 1]),
      numClasses: 2,
      load: async () => tf.zeros([1, 2, 2, 1])
    })
    await expect(collect(src.batches(0))).rejects.toThrow(/returned 1 rows for a batch of 2/)
  })
})

describe('balancedClassWeights', () => {
  it("matches scikit-learn's n / (K · count)", () => {
    const w = balancedClassWeights([0, 0, 0, 1, 2, 2], 4)
    expect(w).toEqual([6 / 12, 6 / 4, 6 / 8, 0])
    expect(() => balancedClassWeights([0, 5], 2)).toThrow(/label 5/)
  })
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddingCache, embeddingKey, fileSha256 } from '../../../src/main/training/backbone/embedding-cache'
import { makePreprocessSpec } from '../../../src/main/training/preprocess/spec'

let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-embcache-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const base = {
  contentSha256: 'a'.repeat(64),
  frame: 0,
  backboneId: 'b'.repeat(64),
  preprocess: makePreprocessSpec(224, '[0,1]'),
  variant: 0
}

describe('EmbeddingCache', () => {
  it('keys change with every input of the computation', () => {
    const k = embeddingKey(base)
    expect(k).toMatch(/^[0-9a-f]{64}$/)
    expect(embeddingKey({ ...base })).toBe(k)
    const variants = [
      { ...base, contentSha256: 'c'.repeat(64) },
      { ...base, frame: 1 },
      { ...base, backboneId: 'd'.repeat(64) },
      { ...base, preprocess: makePreprocessSpec(224, '[-1,1]') },
      { ...base, preprocess: makePreprocessSpec(160, '[0,1]') },
      { ...base, variant: 3 }
    ]
    expect(new Set([k, ...variants.map(embeddingKey)]).size).toBe(variants.length + 1)
  })

  it('stores and returns vectors, and treats absent or wrong-length entries as misses', async () => {
    const cache = new EmbeddingCache(path.join(dir, 'c'))
    const k1 = embeddingKey(base)
    const k2 = embeddingKey({ ...base, variant: 1 })
    const v1 = Float32Array.from({ length: 5 }, (_, i) => i / 3)
    await cache.putMany([{ key: k1, vector: v1 }])
    const [a, b] = await cache.getMany([k1, k2], 5)
    expect(Array.from(a ?? [])).toEqual(Array.from(v1))
    expect(b).toBeNull()
    expect(await cache.getMany([k1], 6)).toEqual([null])
    expect(fs.readdirSync(path.join(dir, 'c', k1.slice(0, 2)))).toEqual([`${k1}.f32`])
    await expect(cache.getMany(['../escape'], 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })

  it('hashes file content', async () => {
    const f = path.join(dir, 'x.bin')
    fs.writeFileSync(f, 'abc')
    expect(await fileSha256(f)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    await expect(fileSha256(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

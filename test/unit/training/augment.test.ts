import { createRequire } from 'node:module'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { affineRow, sampleAffineParams, type AffineParams } from '../../../src/main/training/augment/affine'
import { augmentBatch } from '../../../src/main/training/augment/augment-batch'
import { DEFAULT_AUGMENT, resolveAugmentConfig } from '../../../src/main/training/augment/config'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { maxAbsDiff, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

const H = 5
const W = 5
const NONE: AffineParams = { theta: 0, tx: 0, ty: 0, zx: 1, zy: 1, flip: false }
const OFF = { rotationDeg: 0, widthShift: 0, heightShift: 0, zoom: 0, horizontalFlip: false }

/** A single-channel image whose pixel (row y, column x) is 10·y + x. */
function ramp(b = 1): tf.Tensor4D {
  const v: number[] = []
  for (let i = 0; i < b; i++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v.push(10 * y + x + 100 * i)
  return tf.tensor4d(v, [b, H, W, 1])
}

/** Applies one parameter set with nearest-neighbour sampling and returns [row][col] values. */
function warp(p: AffineParams): number[][] {
  return tf.tidy(() => {
    const out = tf.image.transform(ramp(), tf.tensor2d([affineRow(p, H, W)]), 'nearest', 'nearest')
    return (out.reshape([H, W]).arraySync() as number[][]).map((r) => r.map((v) => Math.round(v)))
  })
}

const at = (y: number, x: number): number => 10 * y + x
const grid = (f: (y: number, x: number) => number): number[][] =>
  Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => f(y, x)))
const clamp = (v: number): number => Math.min(Math.max(v, 0), W - 1)

describe('affine transforms', () => {
  it('is the identity for neutral parameters', () => {
    expect(affineRow(NONE, H, W).map((v) => v + 0)).toEqual([1, 0, 0, 0, 1, 0, 0, 0])
    expect(warp(NONE)).toEqual(grid(at))
  })

  it('shifts by whole pixels, replicating the edge (fill nearest)', () => {
    expect(warp({ ...NONE, tx: 2 })).toEqual(grid((y, x) => at(y, clamp(x + 2))))
    expect(warp({ ...NONE, ty: -1 })).toEqual(grid((y, x) => at(clamp(y - 1), x)))
  })

  it('mirrors left–right', () => {
    expect(warp({ ...NONE, flip: true })).toEqual(grid((y, x) => at(y, W - 1 - x)))
  })

  it('rotates about the centre', () => {
    expect(warp({ ...NONE, theta: Math.PI / 2 })).toEqual(grid((y, x) => at(x, W - 1 - y)))
  })

  it('zooms about the centre (scale 2 samples twice as far out)', () => {
    expect(warp({ ...NONE, zx: 2, zy: 2 })).toEqual(grid((y, x) => at(clamp(2 + 2 * (y - 2)), clamp(2 + 2 * (x - 2)))))
  })

  it('draws parameters within the configured ranges', () => {
    const rng = mulberry32(1)
    const cfg = resolveAugmentConfig()
    for (let i = 0; i < 200; i++) {
      const p = sampleAffineParams(rng, cfg, 100, 50)
      expect(Math.abs(p.theta)).toBeLessThanOrEqual((20 * Math.PI) / 180)
      expect(Math.abs(p.tx)).toBeLessThanOrEqual(0.2 * 50)
      expect(Math.abs(p.ty)).toBeLessThanOrEqual(0.2 * 100)
      expect(p.zx).toBeGreaterThanOrEqual(0.8)
      expect(p.zx).toBeLessThanOrEqual(1.2)
    }
    expect(() => resolveAugmentConfig({ zoom: 1.5 })).toThrow(/zoom/)
  })
})

describe('augmentBatch', () => {
  it('is reproducible for a seed and varies between seeds and images', () => {
    const x = ramp(4)
    const a = augmentBatch(x, {}, mulberry32(5))
    const b = augmentBatch(x, {}, mulberry32(5))
    const c = augmentBatch(x, {}, mulberry32(6))
    expect(a.shape).toEqual([4, H, W, 1])
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()))
    expect(maxAbsDiff(a.dataSync(), c.dataSync())).toBeGreaterThan(0.5)
    tf.dispose([x, a, b, c])
  })

  it('changes nothing with every transform off, and only flips with flip alone', () => {
    const x = ramp(16)
    const same = augmentBatch(x, OFF, mulberry32(1))
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()))
    const flipped = augmentBatch(x, { ...OFF, horizontalFlip: true }, mulberry32(1))
    const mirror = tf.reverse(x, 2)
    let nFlipped = 0
    for (let i = 0; i < 16; i++) {
      const out = flipped.slice(i, 1).dataSync()
      const isSame = maxAbsDiff(out, x.slice(i, 1).dataSync()) < 1e-4
      const isMirror = maxAbsDiff(out, mirror.slice(i, 1).dataSync()) < 1e-4
      expect(isSame || isMirror).toBe(true)
      if (isMirror) nFlipped++
    }
    expect(nFlipped).toBeGreaterThan(2)
    expect(nFlipped).toBeLessThan(14)
    tf.dispose([x, same, flipped, mirror])
  })

  it('gives the same result on the wasm backend as on cpu', async () => {
    const cfg = { ...DEFAULT_AUGMENT }
    const onCpu = tf.tidy(() => Array.from(augmentBatch(ramp(3), cfg, mulberry32(9)).dataSync()))
    const requireHere = createRequire(__filename)
    const wasm = requireHere('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')
    wasm.setWasmPaths(
      path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep
    )
    expect(await tf.setBackend('wasm')).toBe(true)
    try {
      const onWasm = tf.tidy(() => Array.from(augmentBatch(ramp(3), cfg, mulberry32(9)).dataSync()))
      expect(maxAbsDiff(onWasm, onCpu)).toBeLessThan(1e-3)
    } finally {
      await tf.setBackend('cpu')
    }
  })
})

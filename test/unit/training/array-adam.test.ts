import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ArrayAdam } from '../../../src/main/training/loop/adam'
import { adamKernel, wasmMemory } from '../../../src/main/training/loop/adam-simd'
import { createOptimizer } from '../../../src/main/training/loop/optimizer'
import { maxAbsDiff, rand, referenceAdam, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

describe('ArrayAdam (the ONNX Runtime trainers’ optimizer)', () => {
  // Sizes that are not multiples of the 4-lane SIMD width, next to one that is.
  const shapes = [[37, 13], [3], [2, 2]]
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1))
  const initial = sizes.map((n, i) => rand(n, 10 + i))
  const gradsAt = (step: number) => sizes.map((n, i) => rand(n, 100 * step + i))

  function run(steps: number[], adam = new ArrayAdam(shapes)) {
    if (steps[0] === 0) {
      adam.reset(1e-2)
      adam.weights.forEach((w, i) => w.set(initial[i]))
    }
    for (const s of steps) {
      adam.grads.forEach((g, i) => g.set(gradsAt(s)[i]))
      adam.apply()
    }
    return adam
  }

  it('matches the Keras update in float64 to 1e-6 (through the SIMD kernel)', () => {
    expect(adamKernel(wasmMemory(16))).not.toBeNull()
    const adam = run([0, 1, 2])
    adam.weights.forEach((w, i) => {
      const expected = referenceAdam(
        initial[i],
        [0, 1, 2].map((s) => gradsAt(s)[i]),
        1e-2
      )
      expect(maxAbsDiff(w, expected)).toBeLessThan(1e-6)
      expect(maxAbsDiff(w, initial[i])).toBeGreaterThan(1e-2)
    })
  })

  it('exports and imports state so that two steps after a reload equal three in a row, and with the tfjs Adam', () => {
    const straight = run([0, 1, 2])
    const first = run([0])
    const reloaded = new ArrayAdam(shapes)
    reloaded.reset(1e-2)
    reloaded.weights.forEach((w, i) => w.set(first.weights[i]))
    reloaded.importState(first.exportState())
    run([1, 2], reloaded)
    reloaded.weights.forEach((w, i) => expect(maxAbsDiff(w, straight.weights[i])).toBe(0))
    // The tfjs optimizer continues from the same state with the same maths.
    const vars = shapes.map((s, i) => tf.variable(tf.tensor(first.weights[i], s)))
    const opt = createOptimizer(1e-2)
    opt.importState(first.exportState())
    for (const s of [1, 2]) {
      const grads = Object.fromEntries(vars.map((v, i) => [v.name, tf.tensor(gradsAt(s)[i], shapes[i])]))
      opt.apply(vars, grads)
      tf.dispose(Object.values(grads))
    }
    vars.forEach((v, i) => expect(maxAbsDiff(v.dataSync(), straight.weights[i])).toBeLessThan(1e-6))
    expect(() => reloaded.importState(first.exportState().slice(0, 3))).toThrow(/expected \[step, 3 m, 3 v\]/)
    opt.dispose()
    tf.dispose(vars)
  })
})

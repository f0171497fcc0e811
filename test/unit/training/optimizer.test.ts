import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { fastDense } from '../../../src/main/training/loop/fast-dense'
import { createOptimizer } from '../../../src/main/training/loop/optimizer'
import { maxAbsDiff, rand, referenceAdam, useCpuBackend } from './fixtures'

beforeAll(useCpuBackend)

describe('Adam', () => {
  // One variable above the pooling threshold (updated on its own), two pooled small ones.
  const shapes = [[150, 120], [3], [2, 2]]
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1))
  const initial = sizes.map((n, i) => rand(n, 10 + i))
  const gradsAt = (step: number): Float32Array[] => sizes.map((n, i) => rand(n, 100 * step + i))

  function run(steps: number[], opt = createOptimizer(1e-2), vars?: tf.Variable[]) {
    const vs = vars ?? shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(initial[i], s))))
    for (const step of steps) {
      const g = gradsAt(step)
      const grads = Object.fromEntries(vs.map((v, i) => [v.name, tf.tensor(g[i], shapes[i])]))
      opt.apply(vs, grads)
      tf.dispose(Object.values(grads))
    }
    return { vs, opt }
  }

  it('matches the Keras update for own and pooled variables', () => {
    const { vs, opt } = run([0, 1, 2])
    vs.forEach((v, i) => {
      const expected = referenceAdam(
        Float64Array.from(initial[i]),
        [0, 1, 2].map((s) => gradsAt(s)[i]),
        1e-2
      )
      expect(maxAbsDiff(v.dataSync(), expected)).toBeLessThan(1e-5)
      // Three steps of ~lr each actually moved the weights.
      expect(maxAbsDiff(v.dataSync(), initial[i])).toBeGreaterThan(1e-2)
    })
    opt.dispose()
    tf.dispose(vs)
  })

  it('exports per-variable state that resumes exactly in a fresh optimizer', () => {
    const before = tf.memory().numTensors
    const straight = run([0, 1, 2, 3])
    const first = run([0, 1])
    const state = first.opt.exportState()
    expect(state.map((s) => s.shape)).toEqual([[], ...shapes, ...shapes])
    expect(state[0].values[0]).toBe(2)
    const fresh = createOptimizer(1e-2)
    fresh.importState(state)
    run([2, 3], fresh, first.vs)
    first.vs.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(straight.vs[i].dataSync())))
    ;[straight.opt, first.opt, fresh].forEach((o) => o.dispose())
    tf.dispose([...straight.vs, ...first.vs])
    expect(tf.memory().numTensors).toBe(before)
  })
})

describe('fastDense', () => {
  it('computes what the Dense layer computes, with the same gradients, in both modes', () => {
    // 256×256 kernel: large enough for the transposed training forward.
    const layer = tf.layers.dense({
      units: 256,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 })
    })
    const x = tf.tensor2d(rand(4 * 256, 3), [4, 256])
    layer.apply(x)
    const fast = fastDense(layer)!
    const [kernel, bias] = layer.weights.map((w) => w.read() as tf.Variable)
    for (const training of [false, true]) {
      const a = tf.tidy(() => Array.from((fast(x, training) as tf.Tensor).dataSync()))
      const b = tf.tidy(() => Array.from((layer.apply(x) as tf.Tensor).dataSync()))
      expect(maxAbsDiff(a, b)).toBeLessThan(1e-5)
    }
    const gradsOf = (f: () => tf.Tensor) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(f())) as tf.Scalar, [kernel, bias])
        return [kernel, bias].map((v) => Array.from(grads[v.name].dataSync()))
      })
    const fastGrads = gradsOf(() => fast(x, true))
    const stockGrads = gradsOf(() => layer.apply(x) as tf.Tensor)
    fastGrads.forEach((g, i) => expect(maxAbsDiff(g, stockGrads[i])).toBeLessThan(1e-4))
    expect(maxAbsDiff(fastGrads[0], new Float32Array(fastGrads[0].length))).toBeGreaterThan(0)
    expect(fastDense(tf.layers.dense({ units: 2, activation: 'tanh' }))).toBeNull()
    x.dispose()
    layer.dispose()
  })
})

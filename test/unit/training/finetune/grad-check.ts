import * as tf from '@tensorflow/tfjs'
import { Tape } from '../../../../src/main/onnx/autodiff'
import { GraphBuilder } from '../../../../src/main/onnx/graph-builder'
import { createOrtSession, loadOrt } from '../../../../src/main/onnx/ort-runtime'
import { mulberry32 } from '../../../../src/main/training/loop/random'

/** A named input of a checked graph: values and shape. `grad` = whether its gradient is checked. */
export interface CheckInput {
  name: string
  shape: number[]
  values: Float32Array
  grad: boolean
}

/** Uniform values in [lo, hi), seeded. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = mulberry32(seed)
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng())
}

/** A checked input with `shape` and seeded uniform values. */
export function randomInput(name: string, shape: number[], seed: number, grad = true, lo = -1, hi = 1): CheckInput {
  return {
    name,
    shape,
    values: uniform(
      shape.reduce((a, b) => a * b, 1),
      seed,
      lo,
      hi
    ),
    grad
  }
}

/**
 * Runs loss = Σ y·R through ONNX Runtime, where `build` writes y into the graph with the conv ops under
 * test, and through tfjs (`reference` computes y from the same inputs as tensors), and returns the largest
 * gradient error relative to the largest reference gradient, for every input with `grad` set.
 */
export async function gradientError(
  inputs: CheckInput[],
  outShape: number[],
  build: (t: Tape, names: Record<string, string>) => string,
  reference: (x: Record<string, tf.Tensor>) => tf.Tensor
): Promise<{ forward: number; grads: Record<string, number> }> {
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const g = new GraphBuilder('grad_check')
  const t = new Tape(g)
  const names: Record<string, string> = {}
  for (const i of inputs) {
    names[i.name] = g.input(i.name, i.shape)
    if (i.grad) t.param(i.name)
  }
  const r = uniform(
    outShape.reduce((a, b) => a * b, 1),
    99
  )
  const y = build(t, names)
  const rc = g.constant('R', r, outShape)
  const loss = g.op('ReduceSum', [g.op('Mul', [y, rc])], { keepdims: 0 }, 'loss')
  t.record(loss, [y], (b, gy) => [b.op('Mul', [gy, rc])])
  const checked = inputs.filter((i) => i.grad)
  const grads = t.gradients(
    loss,
    checked.map((i) => i.name)
  )
  g.output(y, outShape)
  for (const i of checked) g.output(g.op('Identity', [grads.get(i.name) as string], {}, `d_${i.name}`), i.shape)
  const session = await createOrtSession(g.toBytes(), 1)
  const feeds = Object.fromEntries(inputs.map((i) => [i.name, new status.ort.Tensor('float32', i.values, i.shape)]))
  const out = await session.run(feeds)
  await session.release()

  const rel = (a: Float32Array, b: Float32Array): number => {
    let err = 0
    let scale = 0
    for (let k = 0; k < b.length; k++) {
      err = Math.max(err, Math.abs(a[k] - b[k]))
      scale = Math.max(scale, Math.abs(b[k]))
    }
    return err / Math.max(scale, 1e-12)
  }
  return tf.tidy(() => {
    const xs = Object.fromEntries(inputs.map((i) => [i.name, tf.tensor(i.values, i.shape)]))
    const yRef = reference(xs)
    const rT = tf.tensor(r, outShape)
    const f = (...vals: tf.Tensor[]): tf.Scalar => {
      const m = { ...xs }
      checked.forEach((i, k) => (m[i.name] = vals[k]))
      return tf.sum(tf.mul(reference(m), rT))
    }
    const refGrads = tf.grads(f)(checked.map((i) => xs[i.name]))
    const result: Record<string, number> = {}
    checked.forEach((i, k) => {
      const ort = out[`d_${i.name}`]
      if (!ort) throw new Error(`no output d_${i.name}`)
      result[i.name] = rel(ort.data as Float32Array, refGrads[k].dataSync() as Float32Array)
    })
    return { forward: rel(out[y].data as Float32Array, yRef.dataSync() as Float32Array), grads: result }
  })
}

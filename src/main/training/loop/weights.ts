import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'

/**
 * One weight tensor as plain data, safe to keep after tensors are disposed and to serialise
 * (`values` as raw float32 bytes, the rest as JSON). `name` is the layer-scoped name ('fc1/kernel')
 * without the `_1` suffixes tfjs adds when several models live in one process.
 */
export interface NamedWeight {
  name: string
  shape: number[]
  values: Float32Array
}

/** Weights of a model (or optimizer state) in a fixed order. */
export type NamedWeights = NamedWeight[]

/** Reads variables into plain arrays (one dataSync per variable). */
export function exportWeights(vars: readonly tf.LayerVariable[]): NamedWeights {
  return vars.map((v) => ({
    name: v.originalName,
    shape: v.shape as number[],
    values: v.read().dataSync() as Float32Array
  }))
}

/** Clones variables' current values as tensors (the caller disposes them). */
export function snapshotWeights(vars: readonly tf.LayerVariable[]): tf.Tensor[] {
  return vars.map((v) => tf.keep(v.read().clone()))
}

/** Writes tensors (same order and shapes as `vars`) into the variables; the caller keeps ownership. */
export function writeWeights(vars: readonly tf.LayerVariable[], values: readonly tf.Tensor[], what: string): void {
  if (values.length !== vars.length) {
    throw new AppError('INVALID_ARGUMENT', `${what}: expected ${vars.length} weight tensors, got ${values.length}`)
  }
  vars.forEach((v, i) => {
    if (!tf.util.arraysEqual(v.shape as number[], values[i].shape)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${what}: weight "${v.originalName}" has shape [${v.shape}] but the value has [${values[i].shape}]`
      )
    }
    v.write(values[i])
  })
}

/** Loads plain weights into variables, matching by position and checking names and shapes. */
export function importWeights(vars: readonly tf.LayerVariable[], weights: NamedWeights, what: string): void {
  if (weights.length !== vars.length) {
    throw new AppError('INVALID_ARGUMENT', `${what}: expected ${vars.length} weights, got ${weights.length}`)
  }
  vars.forEach((v, i) => {
    const w = weights[i]
    if (w.name !== v.originalName) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${what}: weight ${i} is "${w.name}" but the model expects "${v.originalName}"`
      )
    }
  })
  const tensors = weights.map((w) => tf.tensor(w.values, w.shape, 'float32'))
  try {
    writeWeights(vars, tensors, what)
  } finally {
    tf.dispose(tensors)
  }
}

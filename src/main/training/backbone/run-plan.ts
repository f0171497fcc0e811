import * as tf from '@tensorflow/tfjs'
import type { InferencePlan } from './inference-plan'

/** A plan with its weights uploaded to the active tfjs backend. Dispose with disposePlanTensors. */
export interface PlanTensors {
  plan: InferencePlan
  filters: Map<string, tf.Tensor4D>
  biases: Map<string, tf.Tensor1D>
}

/** Uploads a plan's filters and biases as tensors on the active backend. */
export function uploadPlan(plan: InferencePlan): PlanTensors {
  const filters = new Map<string, tf.Tensor4D>()
  const biases = new Map<string, tf.Tensor1D>()
  for (const op of plan.ops) {
    if (!op.filter || !op.filterShape || !op.bias) continue
    filters.set(op.name, tf.tensor4d(op.filter, op.filterShape as [number, number, number, number]))
    biases.set(op.name, tf.tensor1d(op.bias))
  }
  return { plan, filters, biases }
}

/** Frees the tensors of uploadPlan. */
export function disposePlanTensors(p: PlanTensors): void {
  tf.dispose([...p.filters.values(), ...p.biases.values()])
}

/**
 * Runs a plan on `x` `[batch, s, s, 3]` and returns the global-average-pooled features `[batch, featureDim]`.
 * The worker (embed-worker.cjs) carries a JavaScript copy of this loop; keep the two in step.
 */
export function runPlan(p: PlanTensors, x: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor4D>([[p.plan.inputName, x]])
    const get = (n: string): tf.Tensor4D => {
      const v = values.get(n)
      if (!v) throw new Error(`inference plan: value "${n}" is used before it is computed`)
      return v
    }
    for (const op of p.plan.ops) {
      const a = get(op.inputs[0])
      let y: tf.Tensor4D
      if (op.op === 'conv' || op.op === 'depthwise') {
        const args = {
          x: a,
          filter: p.filters.get(op.name) as tf.Tensor4D,
          bias: p.biases.get(op.name),
          strides: op.strides ?? ([1, 1] as [number, number]),
          activation: op.activation === 'relu6' ? ('relu6' as const) : ('linear' as const)
        }
        const pad = op.pad ?? 'valid'
        if (op.op === 'conv') y = tf.fused.conv2d({ ...args, pad })
        else if (typeof pad === 'string') y = tf.fused.depthwiseConv2d({ ...args, pad })
        else throw new Error(`inference plan: depthwise op "${op.name}" cannot take explicit padding`)
      } else if (op.op === 'add') y = tf.add(a, get(op.inputs[1]))
      else if (op.op === 'pad') y = tf.pad(a, op.pad as Array<[number, number]>)
      else y = tf.clipByValue(a, 0, 6)
      values.set(op.name, y)
    }
    return tf.mean(get(p.plan.output), [1, 2]) as tf.Tensor2D
  })
}

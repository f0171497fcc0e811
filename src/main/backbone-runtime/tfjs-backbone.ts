import * as tf from '@tensorflow/tfjs'
import type { BackendInfo } from '../../shared/contract'
import type { PlanOutput } from '../onnx/plan-to-onnx'
import type { InferencePlan } from '../training/backbone/inference-plan'
import type { BackboneOutputs, BackboneRuntime } from './backbone-runtime'

/** A plan with its weights uploaded to the active tfjs backend. */
interface PlanTensors {
  plan: InferencePlan
  filters: Map<string, tf.Tensor4D>
  biases: Map<string, tf.Tensor1D>
}

function uploadPlan(plan: InferencePlan): PlanTensors {
  const filters = new Map<string, tf.Tensor4D>()
  const biases = new Map<string, tf.Tensor1D>()
  for (const op of plan.ops) {
    if (!op.filter || !op.filterShape || !op.bias) continue
    filters.set(op.name, tf.tensor4d(op.filter, op.filterShape as [number, number, number, number]))
    biases.set(op.name, tf.tensor1d(op.bias))
  }
  return { plan, filters, biases }
}

/** Runs a plan on `x` `[batch, s, s, 3]` with fused tfjs ops and returns its output feature map (NHWC). */
export function runPlanTfjs(p: PlanTensors, x: tf.Tensor4D): tf.Tensor4D {
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
    return tf.clone(get(p.plan.output))
  })
}

/**
 * The tfjs fallback of the backbone runtime, in this thread on the active tfjs backend: the fused plan
 * where the backbone compiles to one, else the LayersModel layer by layer (which stays the caller's).
 * Used on tfjs-node(-gpu), and where ONNX Runtime cannot load.
 */
export async function openTfjsBackbone(
  source: InferencePlan | tf.LayersModel,
  outputs: readonly PlanOutput[],
  rung: BackendInfo['active']
): Promise<BackboneRuntime> {
  const plan = 'ops' in source ? source : null
  const tensors = plan ? uploadPlan(plan) : null
  const model = plan ? null : (source as tf.LayersModel)
  const inputSize = plan ? plan.inputSize : Number(model?.inputs[0].shape[1])
  const featureDim = plan ? plan.featureDim : Number(model?.outputs[0].shape[3])
  const forward = (x: tf.Tensor4D): tf.Tensor4D =>
    tensors ? runPlanTfjs(tensors, x) : (model?.predict(x) as tf.Tensor4D)
  return {
    backend: rung,
    engine: `tfjs ${tf.getBackend()} (${plan ? 'fused plan' : 'layers'}, in-process)`,
    inputSize,
    featureDim,
    preferredBatch: 8,
    async run(input: Float32Array, n: number): Promise<BackboneOutputs> {
      const s = inputSize
      const x = tf.tensor4d(input.subarray(0, n * s * s * 3), [n, s, s, 3])
      const map = tf.tidy(() => forward(x))
      const pooled = outputs.includes('embedding') ? tf.tidy(() => tf.mean(map, [1, 2])) : null
      try {
        const out: BackboneOutputs = {}
        if (pooled) out.embedding = (await pooled.data()) as Float32Array
        if (outputs.includes('featureMap')) {
          out.featureMap = { data: (await map.data()) as Float32Array, shape: map.shape as FeatureShape }
        }
        return out
      } finally {
        tf.dispose([x, map, ...(pooled ? [pooled] : [])])
      }
    },
    async close() {
      if (tensors) tf.dispose([...tensors.filters.values(), ...tensors.biases.values()])
    }
  }
}

type FeatureShape = [number, number, number, number]

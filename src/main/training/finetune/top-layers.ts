import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { Tape } from '../../onnx/autodiff'
import type { ParamSpec } from '../graph/head-spec'
import {
  batchNormInference,
  depthwiseConv3x3,
  pointwiseConv,
  relu6,
  residualAdd,
  type Feature
} from '../../onnx/ops/conv'

type Config = Record<string, unknown>

/** The unfrozen top of a backbone: the frozen value it starts from and its layers in forward order. */
export interface TopLayers {
  /** Name of the frozen layer whose output feeds the top (`block_13_project` for the seed's 30 layers). */
  boundary: string
  /** Its output shape without the batch: `[h, w, C]` (`[7, 7, 160]` at 224). */
  boundaryShape: [number, number, number]
  layers: tf.layers.Layer[]
}

const inputsOf = (l: tf.layers.Layer): tf.layers.Layer[] => l.inboundNodes[0]?.inboundLayers ?? []

const pair = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : [Number(v), Number(v)])

/**
 * The top `n` layers of `backbone` (as Keras' `base.layers[-n:]`) when the ONNX training graph can express
 * them: 1×1 Conv2D and 3×3 stride-1 DepthwiseConv2D without bias or activation, BatchNormalization,
 * ReLU6 and Add, reading exactly one frozen value. Throws UNSUPPORTED naming the first layer that is not,
 * so the caller can fall back to the tfjs path and say why.
 */
export function topLayers(backbone: tf.LayersModel, n: number): TopLayers {
  const all = backbone.layers
  if (!Number.isInteger(n) || n < 1 || n >= all.length) {
    throw new AppError('UNSUPPORTED', `stage-2 graph: cannot unfreeze ${n} of ${all.length} backbone layers`)
  }
  const layers = all.slice(all.length - n)
  const inside = new Set(layers.map((l) => l.name))
  const frozenInputs = new Set<tf.layers.Layer>()
  const bad = (l: tf.layers.Layer, why: string): never => {
    throw new AppError('UNSUPPORTED', `stage-2 graph: layer "${l.name}" (${l.getClassName()}) ${why}`)
  }
  for (const l of layers) {
    const cfg = l.getConfig() as Config
    for (const p of inputsOf(l)) if (!inside.has(p.name)) frozenInputs.add(p)
    switch (l.getClassName()) {
      case 'Conv2D':
        if (pair(cfg.kernelSize).some((k) => k !== 1) || pair(cfg.strides).some((s) => s !== 1))
          bad(l, 'is not a 1×1 stride-1 convolution')
        if (cfg.useBias || (cfg.activation ?? 'linear') !== 'linear') bad(l, 'has a bias or an activation')
        break
      case 'DepthwiseConv2D':
        if (pair(cfg.kernelSize).some((k) => k !== 3) || pair(cfg.strides).some((s) => s !== 1))
          bad(l, 'is not a 3×3 stride-1 depthwise convolution')
        if (cfg.padding !== 'same' || Number(cfg.depthMultiplier ?? 1) !== 1) bad(l, "is not 'same' with multiplier 1")
        if (cfg.useBias || (cfg.activation ?? 'linear') !== 'linear') bad(l, 'has a bias or an activation')
        break
      case 'BatchNormalization':
        if (![-1, 3].includes(Number(Array.isArray(cfg.axis) ? cfg.axis[0] : cfg.axis))) bad(l, 'is not per channel')
        if (!cfg.center || !cfg.scale) bad(l, 'lacks γ or β')
        break
      case 'ReLU':
        if (Number(cfg.maxValue) !== 6) bad(l, 'is not ReLU6')
        break
      case 'Add':
        if (inputsOf(l).length !== 2) bad(l, 'does not add exactly two values')
        break
      default:
        bad(l, 'is not supported by the ONNX training graph')
    }
  }
  if (frozenInputs.size !== 1) {
    throw new AppError(
      'UNSUPPORTED',
      `stage-2 graph: the top ${n} layers read ${frozenInputs.size} frozen values, not one`
    )
  }
  const [boundary] = [...frozenInputs]
  const shape = boundary.outputShape as (number | null)[]
  if (shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    throw new AppError('UNSUPPORTED', `stage-2 graph: layer "${boundary.name}" has no static [h, w, C] output`)
  }
  return { boundary: boundary.name, boundaryShape: shape.slice(1) as [number, number, number], layers }
}

/** Weights of one layer by suffix ('kernel', 'gamma', …). */
function weightOf(l: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const w = l.weights.find((v) => v.originalName.endsWith(`/${suffix}`))
  if (!w) throw new AppError('UNSUPPORTED', `stage-2 graph: layer "${l.name}" has no ${suffix}`)
  return w
}

/**
 * The top layers' kernels, γ and β in layer order, as graph parameters named by their tfjs originalName.
 * BN moving statistics are left out: stage 2 never changes them, so the graph holds them as constants.
 */
export function topParams(top: TopLayers): { vars: tf.LayerVariable[]; params: ParamSpec[] } {
  const vars = top.layers.flatMap((l) => l.weights.filter((w) => !/\/moving_(mean|variance)$/.test(w.originalName)))
  return {
    vars,
    params: vars.map((v) => ({ name: v.originalName, shape: [...v.shape] as number[], trainable: v.trainable }))
  }
}

/**
 * Writes the top layers into the tape's graph, starting from `input` (the boundary value, NHWC), and
 * returns the last layer's output. Kernels, γ and β must already be graph inputs named as in topParams
 * (the trainable ones marked with `tape.param`, see declareParams).
 */
export function emitTopLayers(t: Tape, top: TopLayers, input: string): Feature {
  const [h, w, c] = top.boundaryShape
  const values = new Map<string, Feature>([[top.boundary, { name: input, h, w, c }]])
  const name = (l: tf.layers.Layer, suffix: string): string => weightOf(l, suffix).originalName
  let last: Feature = values.get(top.boundary) as Feature
  for (const l of top.layers) {
    const ins = inputsOf(l).map((p) => values.get(p.name) as Feature)
    const cfg = l.getConfig() as Config
    switch (l.getClassName()) {
      case 'Conv2D':
        last = pointwiseConv(t, ins[0], name(l, 'kernel'), Number(cfg.filters))
        break
      case 'DepthwiseConv2D':
        last = depthwiseConv3x3(t, ins[0], name(l, 'depthwise_kernel'))
        break
      case 'BatchNormalization':
        last = batchNormInference(t, ins[0], name(l, 'gamma'), name(l, 'beta'), {
          movingMean: Float32Array.from(weightOf(l, 'moving_mean').read().dataSync()),
          movingVariance: Float32Array.from(weightOf(l, 'moving_variance').read().dataSync()),
          epsilon: Number(cfg.epsilon)
        })
        break
      case 'ReLU':
        last = relu6(t, ins[0])
        break
      default:
        last = residualAdd(t, ins[0], ins[1])
    }
    values.set(l.name, last)
  }
  return last
}

/**
 * The top layers through tfjs in inference mode, from the boundary value `x` `[N, h, w, C]`: the reference
 * the stage-2 graph is checked against (test) and the tfjs figure of the stage-2 bench.
 */
export function applyTopLayers(top: TopLayers, x: tf.Tensor): tf.Tensor {
  const values = new Map<string, tf.Tensor>([[top.boundary, x]])
  let last = x
  for (const l of top.layers) {
    const ins = inputsOf(l).map((p) => values.get(p.name) as tf.Tensor)
    last = l.apply(ins.length === 1 ? ins[0] : ins, { training: false }) as tf.Tensor
    values.set(l.name, last)
  }
  return last
}

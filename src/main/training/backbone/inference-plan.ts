import { createHash } from 'node:crypto'
import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'

/** Explicit NHWC padding: [[0,0],[top,bottom],[left,right],[0,0]]. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]]

/**
 * One fused operation. 'conv' and 'depthwise' carry their BatchNormalization folded into `filter`/`bias`
 * and an optional ReLU6; 'add' sums two values; 'pad' zero-pads; 'relu6' clips a value to [0, 6].
 */
export interface PlanOp {
  op: 'conv' | 'depthwise' | 'add' | 'pad' | 'relu6'
  /** Name of the value this op produces (the last Keras layer folded into it). */
  name: string
  /** Names of the values it reads: the input layer's name or earlier ops' names. */
  inputs: string[]
  strides?: [number, number]
  pad?: 'same' | 'valid' | ExplicitPad
  activation?: 'linear' | 'relu6'
  /** conv: [kh, kw, in, out]; depthwise: [kh, kw, in, multiplier]. */
  filterShape?: number[]
  filter?: Float32Array
  /** One value per output channel. */
  bias?: Float32Array
}

/**
 * A feature extractor reduced to fused ops (convolution with folded BN, bias and ReLU6): the one
 * description of a frozen backbone that the backbone runtime turns into an ONNX graph (onnx/plan-to-onnx.ts)
 * or runs with fused tfjs ops (the fallback). Plain data. Embedding = global average pool of `output`,
 * `featureDim` wide.
 */
export interface InferencePlan {
  inputName: string
  /** Height = width of the input, pixels. */
  inputSize: number
  ops: PlanOp[]
  /** The value whose spatial mean is the embedding. */
  output: string
  /** Channels of `output` (1280 for MobileNetV2 α=1). */
  featureDim: number
}

type Config = Record<string, unknown>

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1])] : [Number(v), Number(v)]
}

/**
 * Compiles a single-input, single-output Keras-style CNN (InputLayer, ZeroPadding2D, Conv2D,
 * DepthwiseConv2D, BatchNormalization, ReLU with max 6, Add) into an InferencePlan, folding each
 * BatchNormalization into the convolution before it (w' = w·γ/√(σ²+ε), b' = (b−μ)·γ/√(σ²+ε) + β), each ReLU6
 * into the convolution it follows and each ZeroPadding2D into the 'valid' Conv2D it feeds. Inference
 * only: BN uses its moving statistics. Other layers are UNSUPPORTED, named in the error.
 */
export function compileInferencePlan(model: tf.LayersModel): InferencePlan {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new AppError('UNSUPPORTED', `inference plan: model "${model.name}" must have one input and one output`)
  }
  const inShape = model.inputs[0].shape
  const outShape = model.outputs[0].shape
  if (inShape.length !== 4 || inShape[1] === null || inShape[1] !== inShape[2] || outShape.length !== 4) {
    throw new AppError('UNSUPPORTED', `inference plan: model "${model.name}" must map [b, s, s, c] to [b, h, w, C]`)
  }
  const layers = model.layers
  const byName = new Map(layers.map((l) => [l.name, l]))
  const inputsOf = (l: tf.layers.Layer): string[] => (l.inboundNodes[0]?.inboundLayers ?? []).map((p) => p.name)
  const consumers = new Map<string, string[]>()
  for (const l of layers) for (const p of inputsOf(l)) consumers.set(p, [...(consumers.get(p) ?? []), l.name])
  const soleConsumer = (name: string, cls: string): tf.layers.Layer | null => {
    const c = consumers.get(name) ?? []
    const l = c.length === 1 ? byName.get(c[0]) : undefined
    return l && l.getClassName() === cls ? l : null
  }
  const isRelu6 = (l: tf.layers.Layer): boolean => (l.getConfig() as Config).maxValue === 6

  // Value names after folding: a folded layer's output is its producer op's output.
  const alias = new Map<string, string>()
  const resolve = (n: string): string => alias.get(n) ?? n
  const ops: PlanOp[] = []
  const pendingPads = new Map<string, PlanOp>()
  const folded = new Set<string>()
  const unsupported = (l: tf.layers.Layer, why: string): never => {
    throw new AppError('UNSUPPORTED', `inference plan: layer "${l.name}" (${l.getClassName()}) ${why}`)
  }

  for (const layer of layers) {
    if (folded.has(layer.name)) continue
    const cls = layer.getClassName()
    const cfg = layer.getConfig() as Config
    const inputs = inputsOf(layer).map(resolve)
    if (cls === 'InputLayer') continue
    if (cls === 'ZeroPadding2D') {
      if (cfg.dataFormat !== undefined && cfg.dataFormat !== 'channelsLast') unsupported(layer, 'is not channels-last')
      const [[t, b], [l, r]] = cfg.padding as [[number, number], [number, number]]
      const op: PlanOp = {
        op: 'pad',
        name: layer.name,
        inputs,
        pad: [
          [0, 0],
          [t, b],
          [l, r],
          [0, 0]
        ]
      }
      pendingPads.set(layer.name, op)
      ops.push(op)
      continue
    }
    if (cls === 'Conv2D' || cls === 'DepthwiseConv2D') {
      const depthwise = cls === 'DepthwiseConv2D'
      if (pair(cfg.dilationRate ?? 1).some((d) => d !== 1)) unsupported(layer, 'is dilated')
      if ((cfg.activation ?? 'linear') !== 'linear')
        unsupported(layer, `has a built-in ${String(cfg.activation)} activation`)
      const weights = layer.getWeights()
      const filterShape = weights[0].shape as [number, number, number, number]
      const filter = Float32Array.from(weights[0].dataSync())
      const outC = depthwise ? filterShape[2] * filterShape[3] : filterShape[3]
      const bias = weights.length > 1 ? Float32Array.from(weights[1].dataSync()) : new Float32Array(outC)
      let name = layer.name
      const bn = soleConsumer(name, 'BatchNormalization')
      if (bn) {
        const bnCfg = bn.getConfig() as Config
        if (bnCfg.axis !== -1 && bnCfg.axis !== 3) unsupported(bn, 'normalises an axis other than channels')
        const epsilon = Number(bnCfg.epsilon)
        const bnValues = bn.getWeights()
        const vals = new Map(bn.weights.map((w, i) => [w.originalName.split('/').pop(), bnValues[i].dataSync()]))
        const gamma = vals.get('gamma')
        const beta = vals.get('beta')
        const mean = vals.get('moving_mean')
        const variance = vals.get('moving_variance')
        if (!mean || !variance) unsupported(bn, 'has no moving statistics')
        for (let o = 0; o < outC; o++) {
          const scale = (gamma ? gamma[o] : 1) / Math.sqrt((variance as Float32Array)[o] + epsilon)
          bias[o] = (bias[o] - (mean as Float32Array)[o]) * scale + (beta ? beta[o] : 0)
          for (let i = o; i < filter.length; i += outC) filter[i] *= scale
        }
        folded.add(bn.name)
        name = bn.name
      }
      let activation: PlanOp['activation'] = 'linear'
      const relu = soleConsumer(name, 'ReLU')
      if (relu && isRelu6(relu)) {
        activation = 'relu6'
        folded.add(relu.name)
        name = relu.name
      }
      let pad: PlanOp['pad'] = cfg.padding as 'same' | 'valid'
      let opInputs = inputs
      const padOp = pendingPads.get(inputs[0])
      // Explicit padding is typed and implemented for conv2d on every backend, not for depthwise.
      if (padOp && !depthwise && pad === 'valid' && (consumers.get(padOp.name) ?? []).length === 1) {
        ops.splice(ops.indexOf(padOp), 1)
        pad = padOp.pad
        opInputs = padOp.inputs
      }
      for (const n of [layer.name, bn?.name, relu?.name]) if (n) alias.set(n, name)
      ops.push({
        op: depthwise ? 'depthwise' : 'conv',
        name,
        inputs: opInputs,
        strides: pair(cfg.strides),
        pad,
        activation,
        filterShape,
        filter,
        bias
      })
      continue
    }
    if (cls === 'Add') {
      if (inputs.length !== 2) unsupported(layer, `adds ${inputs.length} inputs, only 2 are supported`)
      ops.push({ op: 'add', name: layer.name, inputs })
      continue
    }
    if (cls === 'ReLU' && isRelu6(layer)) {
      ops.push({ op: 'relu6', name: layer.name, inputs })
      continue
    }
    unsupported(layer, 'has no fused equivalent')
  }
  return {
    inputName: layers[0].name,
    inputSize: inShape[1],
    ops,
    output: resolve(model.outputs[0].sourceLayer.name),
    featureDim: outShape[3] as number
  }
}

/** SHA-256 (hex) of everything a plan computes with: op graph and weights. Identifies a backbone in cache keys. */
export function planSha256(plan: InferencePlan): string {
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ ...plan, ops: plan.ops.map((o) => ({ ...o, filter: undefined, bias: undefined })) }))
  for (const o of plan.ops) {
    if (o.filter) hash.update(new Uint8Array(o.filter.buffer, o.filter.byteOffset, o.filter.byteLength))
    if (o.bias) hash.update(new Uint8Array(o.bias.buffer, o.bias.byteOffset, o.bias.byteLength))
  }
  return hash.digest('hex')
}

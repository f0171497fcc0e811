import { AppError } from '../../shared/errors'
import type { InferencePlan, PlanOp } from '../training/backbone/inference-plan'
import { GraphBuilder, type Dim } from './graph-builder'

/** What a backbone graph returns: the pooled embedding `[batch, C]` and/or the spatial feature map. */
export type PlanOutput = 'embedding' | 'featureMap'

/** Graph input and output names of every backbone graph built here (the runtime feeds and reads these). */
export const BACKBONE_IO = {
  input: 'image',
  pixels: 'pixels',
  embedding: 'embedding',
  featureMap: 'feature_map'
} as const

/** Options of planToOnnx. */
export interface PlanToOnnxOptions {
  /** Which outputs the graph has, in this order. */
  outputs: readonly PlanOutput[]
  /**
   * The plan value both outputs are taken from; default `plan.output`. Any value the plan computes works
   * (e.g. a truncated sub-model's `block_13_project_BN`); ops after it are left out of the graph.
   */
  at?: string
  /** Layout of `feature_map`: 'nhwc' `[batch, h, w, C]` (default, as tfjs) or 'nchw' `[batch, C, h, w]`. */
  featureLayout?: 'nhwc' | 'nchw'
  /**
   * Take 8-bit RGB `pixels` `[batch, s, s, 3]` uint8 instead of the scaled float `image`, and scale them in
   * the graph by looking each value up in `lut` (256 float32 values: the app's scaling table, so the input
   * is bit-identical to the JS path's). Why: the JS loop that scaled each 224² image took ~0.7 ms on the
   * engine's only JS thread, which ONNX Runtime's run also holds.
   */
  pixels?: { lut: Float32Array }
}

/** A value emitted into a graph: its name and NCHW shape without the batch dimension. */
export interface EmittedValue {
  name: string
  channels: number
  height: number
  width: number
}

/**
 * Writes the ops of `plan` into `g`, reading the NCHW float input `input` (`[batch, 3, s, s]`), up to and
 * including the op producing `at` (default `plan.output`). Convolutions carry their folded BN as bias;
 * ReLU6 becomes Clip(0, 6), which ONNX Runtime fuses into the Conv. TensorFlow's 'same' padding (extra
 * pixel at the end) is written as explicit pads. Returns the value `at`.
 */
export function emitPlan(g: GraphBuilder, plan: InferencePlan, input: string, at = plan.output): EmittedValue {
  const values = new Map<string, EmittedValue>([
    [plan.inputName, { name: input, channels: 3, height: plan.inputSize, width: plan.inputSize }]
  ])
  const get = (n: string): EmittedValue => {
    const v = values.get(n)
    if (!v) throw new AppError('UNSUPPORTED', `plan-to-onnx: value "${n}" is used before it is computed`)
    return v
  }
  const zero = g.constant('zero', [0], [])
  const six = g.constant('six', [6], [])
  if (!values.has(at) && !plan.ops.some((o) => o.name === at)) {
    throw new AppError('INVALID_ARGUMENT', `plan-to-onnx: the plan computes no value "${at}"`)
  }
  for (const op of plan.ops) {
    if (values.has(at)) break
    const a = get(op.inputs[0])
    let y: EmittedValue
    if (op.op === 'conv' || op.op === 'depthwise') y = emitConv(g, op, a, [zero, six])
    else if (op.op === 'add') {
      const b = get(op.inputs[1])
      y = { ...a, name: g.op('Add', [a.name, b.name], {}, op.name) }
    } else if (op.op === 'pad') {
      const [, [t, b], [l, r]] = op.pad as [[number, number], [number, number], [number, number], [number, number]]
      const pads = g.ints(`${op.name}_pads`, [0, 0, t, l, 0, 0, b, r])
      y = { ...a, name: g.op('Pad', [a.name, pads], { mode: 'constant' }, op.name), height: a.height + t + b }
      y.width = a.width + l + r
    } else y = { ...a, name: g.op('Clip', [a.name, zero, six], {}, op.name) }
    values.set(op.name, y)
  }
  return get(at)
}

/** One Conv node (and its Clip) for a 'conv' or 'depthwise' plan op (depthwise = grouped Conv, group = input channels). */
export function emitConv(g: GraphBuilder, op: PlanOp, a: EmittedValue, clip: [string, string]): EmittedValue {
  const [kh, kw, cin, last] = op.filterShape as number[]
  const depthwise = op.op === 'depthwise'
  const cout = depthwise ? cin * last : last
  const src = op.filter as Float32Array
  // tfjs filters are [kh, kw, in, out] (conv) or [kh, kw, in, multiplier] (depthwise); ONNX wants
  // [out, in/group, kh, kw], with depthwise output channel i·multiplier + m reading input channel i.
  const w = new Float32Array(src.length)
  const perOut = depthwise ? 1 : cin
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < last; o++) {
          const from = ((y * kw + x) * cin + i) * last + o
          const outC = depthwise ? i * last + o : o
          const inC = depthwise ? 0 : i
          w[((outC * perOut + inC) * kh + y) * kw + x] = src[from]
        }
  const [sh, sw] = op.strides ?? [1, 1]
  const pads = explicitPads(op.pad ?? 'valid', a, kh, kw, sh, sw)
  const height = Math.floor((a.height + pads[0] + pads[2] - kh) / sh) + 1
  const width = Math.floor((a.width + pads[1] + pads[3] - kw) / sw) + 1
  const W = g.constant(`${op.name}_W`, w, [cout, perOut, kh, kw])
  const B = g.constant(`${op.name}_B`, op.bias as Float32Array, [cout])
  const attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads, group: depthwise ? cin : 1 }
  let name = g.op('Conv', [a.name, W, B], attrs, op.activation === 'relu6' ? `${op.name}_conv` : op.name)
  if (op.activation === 'relu6') {
    name = g.op('Clip', [name, ...clip], {}, op.name)
  }
  return { name, channels: cout, height, width }
}

/** ONNX pads [top, left, bottom, right] for TensorFlow padding; 'same' puts the odd pixel at the end. */
export function explicitPads(
  pad: NonNullable<PlanOp['pad']>,
  a: Pick<EmittedValue, 'height' | 'width'>,
  kh: number,
  kw: number,
  sh: number,
  sw: number
): number[] {
  if (pad === 'valid') return [0, 0, 0, 0]
  if (pad === 'same') {
    const total = (size: number, k: number, s: number): number => Math.max((Math.ceil(size / s) - 1) * s + k - size, 0)
    const th = total(a.height, kh, sh)
    const tw = total(a.width, kw, sw)
    return [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)]
  }
  const [, [t, b], [l, r]] = pad
  return [t, l, b, r]
}

/**
 * Writes the NHWC → NCHW transpose of a graph input `[batch, s, s, 3]` (the app's preprocessed layout)
 * and returns the NCHW value name.
 */
export function nhwcInput(g: GraphBuilder, name: string, size: number, batch: Dim = 'batch'): string {
  g.input(name, [batch, size, size, 3])
  return g.op('Transpose', [name], { perm: [0, 3, 1, 2] }, 'image_nchw')
}

/** Global average pooling of an NCHW value to `[batch, C]`. */
export function globalAveragePool(g: GraphBuilder, v: string, stem = 'pooled'): string {
  return g.op('Flatten', [g.op('GlobalAveragePool', [v], {}, `${stem}_gap`)], { axis: 1 }, stem)
}

/**
 * Turns a BN-folded InferencePlan into a serialised ONNX model (opset 17) with input `image`
 * `[batch, s, s, 3]` float32 NHWC, pixels scaled as the backbone expects (the app's preprocessing), and
 * the requested outputs: `embedding` `[batch, C]` (spatial mean of `at`) and/or `feature_map` (`at` itself,
 * NHWC `[batch, h, w, C]` by default). Deterministic: the same plan gives the same bytes.
 */
export function planToOnnx(plan: InferencePlan, opts: PlanToOnnxOptions): Uint8Array {
  if (opts.outputs.length === 0) throw new AppError('INVALID_ARGUMENT', 'plan-to-onnx: no output requested')
  const g = new GraphBuilder('backbone')
  const x = opts.pixels ? pixelInput(g, plan.inputSize, opts.pixels) : nhwcInput(g, BACKBONE_IO.input, plan.inputSize)
  const v = emitPlan(g, plan, x, opts.at ?? plan.output)
  for (const out of opts.outputs) {
    if (out === 'embedding') {
      g.output(globalAveragePool(g, v.name, BACKBONE_IO.embedding), ['batch', v.channels])
    } else if (opts.featureLayout === 'nchw') {
      g.output(g.op('Identity', [v.name], {}, BACKBONE_IO.featureMap), ['batch', v.channels, v.height, v.width])
    } else {
      const m = g.op('Transpose', [v.name], { perm: [0, 2, 3, 1] }, BACKBONE_IO.featureMap)
      g.output(m, ['batch', v.height, v.width, v.channels])
    }
  }
  const layout = opts.pixels ? 'NHWC uint8 [batch, s, s, 3], scaled in the graph' : 'NHWC float32 [batch, s, s, 3]'
  return g.toBytes({ 'neuropath.graph': 'backbone', 'neuropath.input_layout': layout })
}

/** The uint8 NHWC `pixels` input, transposed while still bytes, then looked up in the scaling table (float NCHW). */
function pixelInput(g: GraphBuilder, size: number, k: { lut: Float32Array }): string {
  if (k.lut.length !== 256)
    throw new AppError('INVALID_ARGUMENT', `plan-to-onnx: a pixel table has 256 values, not ${k.lut.length}`)
  g.input(BACKBONE_IO.pixels, ['batch', size, size, 3], 'uint8')
  const nchw = g.op('Transpose', [BACKBONE_IO.pixels], { perm: [0, 3, 1, 2] }, 'pixels_nchw')
  const index = g.op('Cast', [nchw], { to: onnxInt32 }, 'pixels_index')
  return g.op('Gather', [g.constant('pixel_table', k.lut, [256]), index], { axis: 0 }, 'image_nchw')
}

/** ONNX TensorProto.DataType INT32. */
const onnxInt32 = 6

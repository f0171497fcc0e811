import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { Tape } from '../../onnx/autodiff'
import { GraphBuilder } from '../../onnx/graph-builder'
import { planAdd, planConv, planGlobalAveragePool } from '../../onnx/ops/plan-conv'
import type { EmittedValue } from '../../onnx/plan-to-onnx'
import { emitHead } from '../../training/graph/head-graph'
import { headSpecOfChain } from '../../training/graph/head-spec'
import type { InferencePlan, PlanOp } from '../../training/backbone/inference-plan'
import { tailOps } from './plan-tail'

/** Input and output names of the LayerCAM graph. */
export const LAYERCAM_IO = {
  /** Feature map A at the saliency layer, NHWC float32 `[batch, h, w, C]` (as the backbone runtime gives it). */
  input: 'a',
  /** Softmax probabilities `[batch, K]`. */
  probabilities: 'probabilities',
  /** Maps `[batch, K, h, w]`, ≥ 0: ReLU(Σ_k ReLU(∂logit_c/∂A_k) · (A_k − B_k)) per class c. */
  cams: 'cams'
} as const

/** What the LayerCAM graph is built from. */
export interface LayerCamSource {
  /** The backbone's BN-folded plan up to the classifier's feature layer (`plan.output`). */
  plan: InferencePlan
  /** Plan value the maps are taken at (the card's saliency.layer, e.g. `block_13_expand_relu`). */
  layer: string
  /** `[h, w, C]` of that value. */
  shape: [number, number, number]
  /** The classifier's layers after `plan.output`: GlobalAveragePooling2D, then the head (classifierChain). */
  chain: readonly tf.layers.Layer[]
  /** Baseline B `[h, w, C]` float32, NHWC (the training-mean map at `layer`). */
  baseline: Float32Array
  /** Names the model in errors. */
  what: string
}

/**
 * Writes the plan ops after plan value `fromName` (graph value `from`, NCHW) on the tape: convolutions with
 * their input gradients (ops/plan-conv.ts; a ZeroPadding op folds into the depthwise convolution it feeds, as
 * its pads), residual adds. Returns the plan's output. Throws UNSUPPORTED for anything else.
 */
function emitTail(t: Tape, ops: PlanOp[], fromName: string, from: EmittedValue, what: string): EmittedValue {
  const values = new Map<string, EmittedValue>([[fromName, from]])
  const get = (n: string): EmittedValue => values.get(n) as EmittedValue
  const clip: [string, string] = [t.g.constant('zero', [0], []), t.g.constant('six', [6], [])]
  const pending = new Map<string, PlanOp>()
  for (const op of ops) {
    if (op.op === 'pad') {
      const readers = ops.filter((o) => o.inputs.includes(op.name))
      if (readers.length !== 1 || readers[0].op !== 'depthwise' || (readers[0].pad ?? 'valid') !== 'valid') {
        throw new AppError('UNSUPPORTED', `${what}: saliency graph: pad "${op.name}" does not feed one depthwise op`)
      }
      pending.set(op.name, op)
      continue
    }
    let y: EmittedValue
    if (op.op === 'add') y = planAdd(t, get(op.inputs[0]), get(op.inputs[1]), op.name)
    else if (op.op === 'conv' || op.op === 'depthwise') {
      const pad = pending.get(op.inputs[0])
      y = pad
        ? planConv(t, { ...op, pad: pad.pad }, get(pad.inputs[0]), clip)
        : planConv(t, op, get(op.inputs[0]), clip)
    } else throw new AppError('UNSUPPORTED', `${what}: saliency graph: no gradient for the ${op.op} op "${op.name}"`)
    values.set(op.name, y)
  }
  return get(ops.length ? ops[ops.length - 1].name : fromName)
}

/** Declares the head's weights as constants under their tfjs names (emitHead reads them by these names). */
function headConstants(g: GraphBuilder, head: readonly tf.layers.Layer[], what: string): void {
  for (const l of head) {
    const values = l.getWeights()
    l.weights.forEach((v, i) => {
      const name = g.constant(v.originalName, Float32Array.from(values[i].dataSync()), [...v.shape] as number[])
      if (name !== v.originalName) throw new AppError('UNSUPPORTED', `${what}: head weight "${v.originalName}" repeats`)
    })
  }
}

/** B `[h, w, C]` (NHWC) as `[C, h, w]`. */
function channelsFirst(b: Float32Array, [h, w, c]: [number, number, number]): Float32Array {
  const out = new Float32Array(b.length)
  for (let i = 0; i < h * w; i++) for (let ch = 0; ch < c; ch++) out[ch * h * w + i] = b[i * c + ch]
  return out
}

/**
 * Builds the ONNX graph of baseline LayerCAM (baseline-cam.ts) for a classifier: A `[n, h, w, C]` → the rest
 * of the backbone → global pooling → head → probabilities `[n, K]`, and for each class c the input gradient
 * ∂logit_c/∂A (one backward pass per class over the one forward pass; the weights are constants, so no
 * weight-gradient node exists) and its map `[n, K, h, w]` against the baseline constant. Images of a batch
 * do not interact (inference-mode BN), so each image gets its own gradient. One backward pass per class was
 * measured against the K head gradients stacked along the batch axis and sent back through the tail in one
 * pass: 9.7 and 9.8 CPU-ms per image (MobileNetV2 at 224 px, 4 classes, batch 16, one thread), so the simpler
 * form stays. `maps` false: probabilities only
 * (ONNX Runtime runs every node of a graph whatever is fetched, so a forward-only pass needs its own graph).
 * @throws AppError UNSUPPORTED naming the op or layer the graph has no form for.
 */
export function buildLayerCamGraph(src: LayerCamSource, maps = true): Uint8Array {
  const { plan, layer, chain, what } = src
  const ops = tailOps(plan, layer)
  if (ops.length > 0 && ops[ops.length - 1].name !== plan.output) {
    throw new AppError('UNSUPPORTED', `${what}: saliency graph: the plan does not end at its output "${plan.output}"`)
  }
  if (chain[0]?.getClassName() !== 'GlobalAveragePooling2D') {
    throw new AppError('UNSUPPORTED', `${what}: saliency graph: the head does not start with global average pooling`)
  }
  const [h, w, c] = src.shape
  const head = chain.slice(1)
  const g = new GraphBuilder('layercam')
  // Head weights first, so the builder keeps their names unchanged.
  headConstants(g, head, what)
  const spec = headSpecOfChain(
    head,
    plan.featureDim,
    head.flatMap((l) => l.weights),
    `${what}: head`
  )
  const t = new Tape(g)
  g.input(LAYERCAM_IO.input, ['batch', h, w, c])
  // The gradient is taken with respect to A in NCHW, the layout of every op after it.
  const a = t.param(g.op('Transpose', [LAYERCAM_IO.input], { perm: [0, 3, 1, 2] }, 'a_nchw'))
  const top = emitTail(t, ops, layer, { name: a, channels: c, height: h, width: w }, what)
  const logits = emitHead(t, spec, planGlobalAveragePool(t, top), 'infer').logits
  const k = spec.numClasses
  g.output(g.op('Softmax', [logits], { axis: -1 }, LAYERCAM_IO.probabilities), ['batch', k])
  if (!maps) return g.toBytes({ 'neuropath.graph': 'layercam-forward', 'neuropath.layer': layer })

  const delta = g.op('Sub', [a, g.constant('baseline', channelsFirst(src.baseline, src.shape), [c, h, w])], {}, 'delta')
  const axis1 = g.ints('axis1', [1])
  const perClass: string[] = []
  for (let cls = 0; cls < k; cls++) {
    // score_c = Σ_n logits[n, c]: its gradient with respect to A is each image's own ∂logit_c/∂A.
    const oneHot = g.constant(
      `onehot_${cls}`,
      Float32Array.from({ length: k }, (_, j) => (j === cls ? 1 : 0)),
      [1, k]
    )
    const score = g.op('ReduceSum', [g.op('Mul', [logits, oneHot])], { keepdims: 0 }, `score_${cls}`)
    t.record(score, [logits], (b, gy) => [
      b.op('Mul', [b.op('Expand', [oneHot, b.op('Shape', [logits])]), gy], {}, `dscore_${cls}`)
    ])
    const grad = t.gradients(score, [a]).get(a) as string
    const weighted = g.op('Mul', [g.op('Relu', [grad]), delta])
    perClass.push(g.op('Relu', [g.op('ReduceSum', [weighted, axis1], { keepdims: 1 })], {}, `map_${cls}`))
  }
  const cams =
    perClass.length === 1
      ? g.op('Identity', perClass, {}, LAYERCAM_IO.cams)
      : g.op('Concat', perClass, { axis: 1 }, LAYERCAM_IO.cams)
  g.output(cams, ['batch', k, h, w])
  return g.toBytes({ 'neuropath.graph': 'layercam-baseline', 'neuropath.layer': layer })
}

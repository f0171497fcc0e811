import { GraphBuilder } from '../../onnx/graph-builder'
import { Tape } from '../../onnx/autodiff'
import { batchNormInfer, batchNormTrain, dropout, matMul, relu, softmaxCrossEntropy } from '../../onnx/ops/dense'
import type { HeadSpec } from './head-spec'

/** A BN layer's batch statistics in the training graph, for the moving-average update outside it. */
export interface BatchStatsOutput {
  /** Param names of the moving statistics this batch updates. */
  movingMean: string
  movingVariance: string
  /** Graph outputs: batch mean and biased batch variance, `[C]`. */
  batchMean: string
  batchVariance: string
  momentum: number
}

/** A BN layer's input in the inference graph, for re-estimating its moving statistics exactly. */
export interface BatchNormInput {
  movingMean: string
  movingVariance: string
  /** Graph output: the BN layer's input `[N, C]` in inference mode. */
  value: string
  /** True when that input is the graph input `x` itself (its statistics then never change in a stage). */
  fromInput?: boolean
}

/** A dropout mask the training graph takes as an input. */
export interface DropoutInput {
  /** Graph input `[N, units]`. */
  input: string
  units: number
  rate: number
  /** Head layer index; masks derive from (step seed, 'dropout', index). */
  index: number
}

/** What emitHead wrote into a graph. */
export interface EmittedHead {
  /** Logits `[N, K]` (before the softmax of the last Dense). */
  logits: string
  batchStats: BatchStatsOutput[]
  bnInputs: BatchNormInput[]
  dropouts: DropoutInput[]
}

/**
 * Writes the head's layers onto `tape` from features `x` `[N, inputDim]`. In 'train' mode BN uses batch
 * statistics (frozen BN layers excepted) and dropout multiplies by mask inputs; in 'infer' mode BN uses the
 * moving statistics and dropout is the identity. Every weight must already be a graph input named as in
 * `spec.params` (trainable ones marked with `tape.param`). Stage 2 calls this after its own convolution ops.
 */
export function emitHead(tape: Tape, spec: HeadSpec, x: string, mode: 'train' | 'infer'): EmittedHead {
  const g = tape.g
  const out: EmittedHead = { logits: '', batchStats: [], bnInputs: [], dropouts: [] }
  let t = x
  for (const layer of spec.layers) {
    if (layer.kind === 'dense') {
      t = matMul(tape, t, layer.kernel, layer.bias)
      if (layer.activation === 'relu') t = relu(tape, t)
    } else if (layer.kind === 'batchnorm') {
      const { movingMean, movingVariance } = layer
      if (mode === 'train' && layer.trainable) {
        const bn = batchNormTrain(tape, t, layer.gamma, layer.beta, layer.epsilon)
        out.batchStats.push({
          movingMean,
          movingVariance,
          batchMean: bn.mean,
          batchVariance: bn.variance,
          momentum: layer.momentum
        })
        t = bn.y
      } else {
        if (mode === 'infer') out.bnInputs.push({ movingMean, movingVariance, value: t })
        t = batchNormInfer(tape, t, layer.gamma, layer.beta, movingMean, movingVariance, layer.epsilon)
      }
    } else if (mode === 'train' && layer.rate > 0) {
      const input = g.input(`mask_${layer.name}`, ['batch', layer.units])
      out.dropouts.push({ input, units: layer.units, rate: layer.rate, index: layer.index })
      t = dropout(tape, t, input)
    }
  }
  out.logits = t
  return out
}

/** Declares every weight of `spec` as a graph input; trainable ones become tape parameters. */
export function declareParams(tape: Tape, spec: Pick<HeadSpec, 'params'>, mode: 'train' | 'infer'): string[] {
  const trained: string[] = []
  for (const p of spec.params) {
    tape.g.input(p.name, p.shape)
    if (mode === 'train' && p.trainable) trained.push(tape.param(p.name))
  }
  return trained
}

/** Names of the inputs and outputs of a training graph (what the ORT trainer feeds and fetches). */
export interface TrainingGraphIO {
  /** Features input `[N, …]`, one-hot targets `[N, K]`, per-sample loss weights `[N]`. */
  x: string
  oneHot: string
  sampleWeights: string
  /** Scalar mean loss and probabilities `[N, K]`. */
  loss: string
  probs: string
  /** Gradient output per trainable param name. */
  grads: Record<string, string>
  batchStats: BatchStatsOutput[]
  dropouts: DropoutInput[]
}

/** Names of the inputs and outputs of an inference graph. */
export interface InferenceGraphIO {
  x: string
  probs: string
  bnInputs: BatchNormInput[]
}

/**
 * The head's training graph: embeddings `[N, inputDim]`, one-hot labels, sample weights, dropout masks and
 * every weight as inputs; loss, probabilities, one gradient per trainable weight and the BN batch
 * statistics as outputs. Weights stay in JavaScript arrays, so one session serves every step.
 */
export function buildHeadTrainingGraph(spec: HeadSpec): { bytes: Uint8Array; io: TrainingGraphIO } {
  const g = new GraphBuilder('head_train')
  const tape = new Tape(g)
  const x = g.input('x', ['batch', spec.inputDim])
  const oneHot = g.input('one_hot', ['batch', spec.numClasses])
  const sampleWeights = g.input('sample_weights', ['batch'])
  const trained = declareParams(tape, spec, 'train')
  const head = emitHead(tape, spec, x, 'train')
  const { loss, probs } = softmaxCrossEntropy(tape, head.logits, oneHot, sampleWeights)
  const gradNames = tape.gradients(loss, trained)
  const grads: Record<string, string> = {}
  g.output(loss, [])
  g.output(probs, ['batch', spec.numClasses])
  for (const p of spec.params) {
    const gp = gradNames.get(p.name)
    if (!gp) continue
    // A gradient may be an input-aliasing value; Identity gives it a distinct output name.
    grads[p.name] = g.output(g.op('Identity', [gp], {}, `grad_out_${p.name.replace(/\W/g, '_')}`), p.shape)
  }
  for (const s of head.batchStats) {
    const units = spec.params.find((p) => p.name === s.movingMean)?.shape ?? []
    g.output(s.batchMean, units)
    g.output(s.batchVariance, units)
  }
  return {
    bytes: g.toBytes(),
    io: { x, oneHot, sampleWeights, loss, probs, grads, batchStats: head.batchStats, dropouts: head.dropouts }
  }
}

/** The head's inference graph: probabilities `[N, K]` plus every BN layer's input (for re-estimation). */
export function buildHeadInferenceGraph(spec: HeadSpec): { bytes: Uint8Array; io: InferenceGraphIO } {
  const g = new GraphBuilder('head_infer')
  const tape = new Tape(g)
  const x = g.input('x', ['batch', spec.inputDim])
  declareParams(tape, spec, 'infer')
  const head = emitHead(tape, spec, x, 'infer')
  const probs = g.op('Softmax', [head.logits], { axis: -1 }, 'probs')
  g.output(probs, ['batch', spec.numClasses])
  for (const b of head.bnInputs) {
    const units = spec.params.find((p) => p.name === b.movingMean)?.shape[0] ?? 0
    // A BN fed straight by the graph input needs a distinct output name too.
    b.fromInput = b.value === x
    b.value = g.output(b.fromInput ? g.op('Identity', [x], {}, 'bn_input') : b.value, ['batch', units])
  }
  return { bytes: g.toBytes(), io: { x, probs, bnInputs: head.bnInputs } }
}

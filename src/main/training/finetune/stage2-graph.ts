import * as tf from '@tensorflow/tfjs'
import { Tape } from '../../onnx/autodiff'
import { GraphBuilder } from '../../onnx/graph-builder'
import { globalAveragePool } from '../../onnx/ops/conv'
import { softmaxCrossEntropy } from '../../onnx/ops/dense'
import { emitPlan, nhwcInput } from '../../onnx/plan-to-onnx'
import { compileInferencePlan } from '../backbone/inference-plan'
import type { ComposedModel } from '../head/compose-model'
import { declareParams, emitHead, type InferenceGraphIO, type TrainingGraphIO } from '../graph/head-graph'
import { headSpecOf, type HeadSpec, type ParamSpec } from '../graph/head-spec'
import type { OrtTrainingGraphs } from '../graph/ort-target'
import { emitTopLayers, topParams, type TopLayers } from './top-layers'

/**
 * What the stage-2 graphs start from. 'image' `[N, s, s, 3]`: the frozen lower backbone runs inside the
 * graph (H1's BN-folded plan of the backbone truncated at the boundary), recomputed at every step, so every
 * epoch sees fresh augmentation. 'features' `[N, h, w, C]`: the graph starts at the boundary value (the
 * throughput bench and the gradient tests).
 */
export type Stage2Input = 'image' | 'features'

/** The stage-2 graphs and the tfjs variables behind their params, in the same order. */
export interface Stage2Graphs extends OrtTrainingGraphs {
  /** `vars[i]` holds `params[i]`: the top layers' kernels, γ, β, then every head weight. */
  vars: tf.LayerVariable[]
}

function boundaryValue(g: GraphBuilder, composed: ComposedModel, top: TopLayers, input: Stage2Input): string {
  const [h, w, c] = top.boundaryShape
  if (input === 'features') return g.input('x', ['batch', h, w, c])
  const b = composed.backbone
  const sub = tf.model({ inputs: b.inputs, outputs: b.getLayer(top.boundary).output as tf.SymbolicTensor })
  const plan = compileInferencePlan(sub)
  const v = emitPlan(g, plan, nhwcInput(g, 'x', plan.inputSize))
  return g.op('Transpose', [v.name], { perm: [0, 2, 3, 1] }, 'boundary')
}

/** Writes input → top layers → pool → head; returns the tape, the head's names and the trained params. */
function emitModel(
  g: GraphBuilder,
  composed: ComposedModel,
  top: TopLayers,
  spec: HeadSpec,
  params: ParamSpec[],
  input: Stage2Input,
  mode: 'train' | 'infer'
) {
  const tape = new Tape(g)
  const x = boundaryValue(g, composed, top, input)
  const trained = declareParams(tape, { params }, mode)
  const pooled = globalAveragePool(tape, emitTopLayers(tape, top, x))
  return { tape, head: emitHead(tape, spec, pooled, mode), trained }
}

/**
 * The two ONNX graphs of stage 2 over the same params: training (loss, probabilities, one gradient per
 * trainable weight, head BN batch statistics) and inference (probabilities, head BN inputs). The top layers
 * use ops/conv.ts, the head H2's emitHead, the backward pass the Tape. Weights are graph inputs, so the ORT
 * trainer (graph/ort-target.ts) serves every step from its Float32Arrays; the top layers' BN moving
 * statistics are constants, because stage 2 keeps them. Set the layers' `trainable` flags first.
 */
export function buildStage2Graphs(composed: ComposedModel, top: TopLayers, input: Stage2Input): Stage2Graphs {
  const spec = headSpecOf(composed.head)
  const topP = topParams(top)
  const vars = [...topP.vars, ...composed.head.weights]
  const params: ParamSpec[] = [...topP.params, ...spec.params]
  const k = spec.numClasses
  const [h, w, c] = top.boundaryShape
  const inputShape = input === 'image' ? [...(composed.backbone.inputs[0].shape.slice(1) as number[])] : [h, w, c]

  const tg = new GraphBuilder('stage2_train')
  const t = emitModel(tg, composed, top, spec, params, input, 'train')
  const oneHot = tg.input('one_hot', ['batch', k])
  const sampleWeights = tg.input('sample_weights', ['batch'])
  const { loss, probs } = softmaxCrossEntropy(t.tape, t.head.logits, oneHot, sampleWeights)
  const named = t.tape.gradients(loss, t.trained)
  tg.output(loss, [])
  tg.output(probs, ['batch', k])
  const grads: Record<string, string> = {}
  for (const p of params) {
    const gp = named.get(p.name)
    if (gp) grads[p.name] = tg.output(tg.op('Identity', [gp], {}, `grad_out_${p.name.replace(/\W/g, '_')}`), p.shape)
  }
  const shapeOf = (name: string): number[] => params.find((p) => p.name === name)?.shape ?? []
  for (const s of t.head.batchStats) {
    tg.output(s.batchMean, shapeOf(s.movingMean))
    tg.output(s.batchVariance, shapeOf(s.movingMean))
  }
  const trainIo: TrainingGraphIO = {
    x: 'x',
    oneHot,
    sampleWeights,
    loss,
    probs,
    grads,
    batchStats: t.head.batchStats,
    dropouts: t.head.dropouts
  }

  const ig = new GraphBuilder('stage2_infer')
  const i = emitModel(ig, composed, top, spec, params, input, 'infer')
  const inferProbs = ig.output(ig.op('Softmax', [i.head.logits], { axis: -1 }, 'probs'), ['batch', k])
  for (const b of i.head.bnInputs) b.value = ig.output(b.value, ['batch', shapeOf(b.movingMean)[0]])
  const inferIo: InferenceGraphIO = { x: 'x', probs: inferProbs, bnInputs: i.head.bnInputs }
  const meta = { 'neuropath.graph': 'stage2', 'neuropath.input': input }
  return {
    name: composed.model.name,
    params,
    vars,
    inputShape,
    numClasses: k,
    train: { bytes: tg.toBytes(meta), io: trainIo },
    infer: { bytes: ig.toBytes(meta), io: inferIo },
    // The head starts with BN on the pooled features, which the inference graph therefore outputs: BN
    // re-estimation then runs the backbone part once per epoch, not once per head BN layer (ort-recalibrate.ts).
    head: spec.layers[0]?.kind === 'batchnorm' ? { spec, input: inferIo.bnInputs[0].value } : undefined
  }
}

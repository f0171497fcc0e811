import { AppError } from '../../../shared/errors'
import { loadOrt } from '../../onnx/ort-runtime'
import type { ComposedModel } from '../head/compose-model'
import { setTrainableTop } from '../head/freeze'
import { createOrtTarget, type OrtTarget, type OrtTargetOptions } from '../graph/ort-target'
import { exportWeights, importWeights } from '../loop/weights'
import { buildStage2Graphs, type Stage2Input } from './stage2-graph'
import { topLayers } from './top-layers'

/** Options of createOrtStage2Target. */
export interface OrtStage2Options extends Omit<OrtTargetOptions, 'onEnd'> {
  /** Backbone layers trained, counted from the top as Keras' `base.layers[-n:]` (the seed: 30). */
  unfreezeTopLayers: number
  /** Default 'image' (the frozen part inside the graph); 'features' for benches and tests. */
  input?: Stage2Input
}

/** The stage-2 trainer on ONNX Runtime, and what it trains. */
export interface OrtStage2 {
  target: OrtTarget
  /** First trained layer and the frozen value it reads, e.g. `block_13_project_BN` from `block_13_project`. */
  firstLayer: string
  boundary: string
  boundaryShape: [number, number, number]
  /** Trainable weights (elements) in the top layers and in the head. */
  trainableElements: number
}

/**
 * Stage 2 on ONNX Runtime: unfreezes the top `n` backbone layers as Keras does (kernels, γ and β train;
 * every BN keeps its moving statistics in the backbone), builds the stage-2 graphs and returns H2's ORT
 * trainer over them (Adam on Float32Arrays, the same StageTarget trainStage drives in stage 1). The weights
 * are copied out of the tfjs model once and written back when the stage ends (also on cancel or error), so
 * the saved model keeps the tfjs format. Throws UNSUPPORTED when ORT cannot load or a layer has no graph op;
 * the caller then trains on the tfjs path.
 */
export async function createOrtStage2Target(composed: ComposedModel, opts: OrtStage2Options): Promise<OrtStage2> {
  const ort = loadOrt()
  if (!ort.ok) throw new AppError('UNSUPPORTED', ort.reason)
  setTrainableTop(composed.backbone, opts.unfreezeTopLayers, { trainBatchNorm: true })
  const top = topLayers(composed.backbone, opts.unfreezeTopLayers)
  const graphs = buildStage2Graphs(composed, top, opts.input ?? 'image')
  const target = await createOrtTarget(graphs, exportWeights(graphs.vars), {
    threads: opts.threads,
    onEnd: (w) => importWeights(graphs.vars, w, `model "${composed.model.name}" after stage 2 on ONNX Runtime`)
  })
  return {
    target,
    firstLayer: top.layers[0].name,
    boundary: top.boundary,
    boundaryShape: top.boundaryShape,
    trainableElements: graphs.params
      .filter((p) => p.trainable)
      .reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)
  }
}

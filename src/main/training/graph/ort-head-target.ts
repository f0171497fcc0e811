import type * as tf from '@tensorflow/tfjs'
import { exportWeights, importWeights } from '../loop/weights'
import { buildHeadInferenceGraph, buildHeadTrainingGraph } from './head-graph'
import { headSpecOf } from './head-spec'
import { createOrtTarget, type OrtTarget, type OrtTargetOptions } from './ort-target'

/**
 * Stage 1 on cached embeddings through ONNX Runtime: the tfjs head's chain becomes a training and an
 * inference graph, its weights are copied out once, trained in Float32Arrays, and written back into `head`
 * when the stage ends (trainStage calls end() also on cancel or error), so the model folder, checkpoints and
 * resume points keep the tfjs weight names and formats. Set the head layers' `trainable` flags before.
 * Throws UNSUPPORTED when ORT cannot load or a head layer has no graph op (callers then use headTarget).
 * One intra-op thread by default: the head's products are small (at most 32×1280×512 per step), so splitting
 * them gains little, while the thread barriers of every op cost 2–3× throughput when other work shares the
 * cores (measured at batch 32 on the 2-core machine under load: 1,272–1,788 vs 461–768 samples/s).
 */
export async function createOrtHeadTarget(
  head: tf.LayersModel,
  opts: Omit<OrtTargetOptions, 'onEnd'> = {}
): Promise<OrtTarget> {
  const spec = headSpecOf(head)
  return createOrtTarget(
    {
      name: head.name,
      params: spec.params,
      inputShape: [spec.inputDim],
      numClasses: spec.numClasses,
      train: buildHeadTrainingGraph(spec),
      infer: buildHeadInferenceGraph(spec)
    },
    exportWeights(head.weights),
    {
      ...opts,
      threads: opts.threads ?? 1,
      onEnd: (w) => importWeights(head.weights, w, `head "${head.name}" after ONNX Runtime training`)
    }
  )
}

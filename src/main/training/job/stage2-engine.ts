import * as tf from '@tensorflow/tfjs'
import type { BackendInfo, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { createOrtStage2Target } from '../finetune/ort-stage2-target'
import type { ComposedModel } from '../head/compose-model'
import type { StageTarget } from '../loop/stage-target'
import { imageTarget, type TrainTarget } from '../loop/target'
import type { EngineRunEvent } from './job'

/** How stage 2 trains in this process. */
export interface Stage2Engine {
  target: TrainTarget | StageTarget
  /** What it runs on, for the run record: 'ort', or the tfjs backend name. */
  backend: string
}

/**
 * Picks stage 2's trainer: ONNX Runtime (finetune/) wherever it loads and the top layers have graph ops,
 * except with tfjs-node-gpu, where TensorFlow's own GPU kernels stay; otherwise the tfjs path, on the cpu
 * backend when the active one (wasm) lacks convolution gradients. Every choice and fallback is logged with
 * its reason. In both engines the top layers' kernels, γ and β train and BN keeps its moving statistics.
 */
export async function stage2Engine(
  composed: ComposedModel,
  config: TrainingConfig,
  backend: BackendInfo,
  emit: (e: EngineRunEvent) => void
): Promise<Stage2Engine> {
  const n = config.stage2.unfreezeTopLayers
  if (backend.tfActive !== 'node-gpu') {
    try {
      const ort = await createOrtStage2Target(composed, { unfreezeTopLayers: n })
      const [h, w, c] = ort.boundaryShape
      emit({
        type: 'log',
        line:
          `stage 2 trains on ONNX Runtime: ${ort.firstLayer} … top (${n} layers) plus the head, ` +
          `${ort.trainableElements.toLocaleString('en')} trainable values, forward and backward in one graph`
      })
      emit({
        type: 'log',
        line:
          `stage 2 recomputes the frozen part (input → ${ort.boundary}, [N, ${h}, ${w}, ${c}]) inside the same ` +
          'ONNX graph at every step instead of caching it: the recipe augments every image afresh in every epoch, ' +
          'which a cache of a few fixed variants per image would not reproduce, and on ONNX Runtime the frozen ' +
          'forward pass costs less than the backward pass it feeds (about a third of a step: 0.007 of 0.020 ' +
          'CPU-seconds per image at 224 px, batch 32, measured on 2 cores), with nothing written to disk'
      })
      return { target: ort.target, backend: 'ort' }
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
      emit({ type: 'log', line: `stage 2 cannot use ONNX Runtime (${err.message}); it trains on tfjs` })
    }
  }
  let tfBackend: string = backend.tfActive
  if (!backend.supportsConvTraining) {
    // wasm lacks Conv2DBackpropFilter and the depthwise backprop kernels; the cpu backend has them.
    await tf.setBackend('cpu')
    tfBackend = 'cpu'
    emit({
      type: 'log',
      line: `stage 2 runs on the tfjs cpu backend: the ${backend.tfActive} backend has no convolution gradient kernels (about 20× slower)`
    })
  }
  return {
    target: imageTarget(composed, { trainableTopLayers: n, trainBatchNorm: true }),
    backend: tfBackend
  }
}

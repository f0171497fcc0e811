import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { classifierToOnnx, PROBABILITIES } from '../../onnx/classifier-to-onnx'
import { BACKBONE_IO } from '../../onnx/plan-to-onnx'
import { createOrtSession, loadOrt } from '../../onnx/ort-runtime'
import type { Batch, BatchSource } from '../loop/batch-source'
import { predictSource, type Predictions } from '../loop/evaluate-source'
import { prefetch } from '../loop/prefetch'
import { imageTarget } from '../loop/target'
import type { ComposedModel } from '../head/compose-model'
import type { EngineRunEvent } from './job'

const disposeBatch = (b: Batch): void => {
  b.x.dispose()
  b.y.dispose()
}

/**
 * Probabilities of the whole classifier `model` (its current weights, fine-tuned backbone layers included)
 * for every image of `source` `[N, s, s, 3]`, on ONNX Runtime: the model becomes H1's ONNX classifier
 * (classifier-to-onnx.ts, the graph model.onnx holds), run with one session over the source in order.
 * The same predictions as predictSource on the tfjs model, within float32 rounding, at ONNX Runtime's speed.
 * Throws UNSUPPORTED when ONNX Runtime cannot load or a layer has no ONNX form (callers use the tfjs path).
 */
export async function predictOnOrt(
  model: tf.LayersModel,
  featureLayer: string,
  source: BatchSource,
  signal?: AbortSignal
): Promise<Predictions> {
  const ort = loadOrt()
  if (!ort.ok) throw new AppError('UNSUPPORTED', ort.reason)
  const what = `evaluation of "${model.name}" on ONNX Runtime`
  const session = await createOrtSession(classifierToOnnx(model, featureLayer, {}, what), undefined, {
    spinning: false
  })
  const k = source.numClasses
  const probs = new Float32Array(source.size * k)
  const labels = new Int32Array(source.size)
  const indices = new Int32Array(source.size)
  let row = 0
  try {
    for await (const b of prefetch(source.batches(0), disposeBatch)) {
      try {
        if (signal?.aborted) throw new AppError('CANCELLED', `${what} cancelled`)
        const n = b.labels.length
        if (row + n > source.size)
          throw new AppError('CORRUPT', `${what}: source yielded more than ${source.size} rows`)
        const x = new ort.ort.Tensor('float32', b.xValues ?? (b.x.dataSync() as Float32Array), b.x.shape)
        const out = await session.run({ [BACKBONE_IO.input]: x }, [PROBABILITIES])
        probs.set(out[PROBABILITIES].data as Float32Array, row * k)
        labels.set(b.labels, row)
        indices.set(b.indices, row)
        row += n
      } finally {
        disposeBatch(b)
      }
    }
  } finally {
    await session.release()
  }
  return {
    probs: probs.subarray(0, row * k),
    labels: labels.subarray(0, row),
    indices: indices.subarray(0, row),
    numClasses: k
  }
}

/**
 * The evaluation of the whole model on images: ONNX Runtime where it loads (H1's ONNX classifier of the
 * current weights, the graph model.onnx holds), except with tfjs-node-gpu; the tfjs model's predict
 * otherwise, or when the model has a layer with no ONNX form, with the reason logged.
 */
export async function predictImages(
  composed: ComposedModel,
  tfBackend: string,
  source: BatchSource,
  emit: (e: EngineRunEvent) => void,
  signal: AbortSignal
): Promise<Predictions> {
  if (tfBackend !== 'node-gpu') {
    try {
      const featureLayer = composed.backbone.outputs[0].sourceLayer.name
      const preds = await predictOnOrt(composed.model, featureLayer, source, signal)
      emit({ type: 'log', line: 'evaluation ran on ONNX Runtime (the saved model as its ONNX classifier)' })
      return preds
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
      emit({ type: 'log', line: `evaluation runs on tfjs (${tfBackend}): ${err.message}` })
    }
  }
  return predictSource(imageTarget(composed, { trainableTopLayers: 0 }), source, signal)
}

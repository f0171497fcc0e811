import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { Batch, BatchSource } from './batch-source'
import { categoricalCrossEntropy, countCorrect } from './loss'
import { prefetch } from './prefetch'
import type { TrainTarget } from './target'

/** Predicted probabilities of a whole source, in the order the source yielded them. */
export interface Predictions {
  /** `rows × numClasses` probabilities, row-major. */
  probs: Float32Array
  /** True class of each row. */
  labels: Int32Array
  /** Dataset index of each row (BatchSource `indices`). */
  indices: Int32Array
  numClasses: number
}

function disposeBatch(b: Batch): void {
  b.x.dispose()
  b.y.dispose()
}

/** Runs the model in inference mode over every batch of `source` (seed 0: an unshuffled source's order). */
async function forEachPrediction(
  target: TrainTarget,
  source: BatchSource,
  signal: AbortSignal | undefined,
  visit: (b: Batch, probs: tf.Tensor2D) => void
): Promise<void> {
  for await (const b of prefetch(source.batches(0), disposeBatch)) {
    try {
      if (signal?.aborted) throw new AppError('CANCELLED', `evaluation of "${target.name}" cancelled`)
      const probs = tf.tidy(() => {
        const prepared = target.prepare(b.x)
        return target.forward(prepared, false, 0)
      })
      try {
        visit(b, probs)
      } finally {
        probs.dispose()
      }
    } finally {
      disposeBatch(b)
    }
  }
}

/** Mean unweighted categorical cross-entropy (nats) and accuracy of `target` on `source`. */
export async function evaluateSource(
  target: TrainTarget,
  source: BatchSource,
  signal?: AbortSignal
): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0
  let correct = 0
  let seen = 0
  await forEachPrediction(target, source, signal, (b, probs) => {
    const loss = categoricalCrossEntropy(probs, b.y)
    lossSum += loss.dataSync()[0] * b.labels.length
    loss.dispose()
    correct += countCorrect(probs, b.labels)
    seen += b.labels.length
  })
  if (seen === 0) throw new AppError('INVALID_ARGUMENT', `evaluation of "${target.name}": the source is empty`)
  return { loss: lossSum / seen, accuracy: correct / seen }
}

/** Probabilities of `target` (inference mode) for every sample of `source`. */
export async function predictSource(
  target: TrainTarget,
  source: BatchSource,
  signal?: AbortSignal
): Promise<Predictions> {
  const k = source.numClasses
  const probs = new Float32Array(source.size * k)
  const labels = new Int32Array(source.size)
  const indices = new Int32Array(source.size)
  let row = 0
  await forEachPrediction(target, source, signal, (b, p) => {
    const n = b.labels.length
    if (row + n > source.size)
      throw new AppError('CORRUPT', `prediction of "${target.name}": source yielded more than ${source.size} rows`)
    probs.set(p.dataSync(), row * k)
    labels.set(b.labels, row)
    indices.set(b.indices, row)
    row += n
  })
  return {
    probs: probs.subarray(0, row * k),
    labels: labels.subarray(0, row),
    indices: indices.subarray(0, row),
    numClasses: k
  }
}

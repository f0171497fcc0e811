import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { chunks, type BatchSource } from './batch-source'
import { mulberry32, shuffledIndices } from './random'

/** Options of createLoaderSource. */
export interface LoaderSourceOptions {
  /** Class index of every sample, in dataset order. */
  labels: Int32Array
  /** Number of classes K. */
  numClasses: number
  /**
   * Produces the inputs of the given dataset rows, in that order: e.g. `[b, H, W, C]` float images
   * read and decoded from disk. Called for one batch at a time, and (through prefetch) for the next
   * batch while the current one trains. The returned tensor is owned by the trainer. A loader that built
   * the values in JS returns them too (`values`), so the ONNX Runtime trainers read them without a
   * download from the tfjs backend (Batch.xValues).
   */
  load: (indices: Int32Array) => Promise<tf.Tensor | { x: tf.Tensor; values: Float32Array }>
  /** Samples per batch. Default 32. */
  batchSize?: number
  /** Reshuffle every epoch from the epoch seed. Default true. */
  shuffle?: boolean
}

/**
 * A BatchSource whose inputs come from a loader callback (images on disk for stage 2, or any other
 * store), so only the batches in flight are ever in memory.
 */
export function createLoaderSource(opts: LoaderSourceOptions): BatchSource {
  const { labels, numClasses, load } = opts
  const size = labels.length
  const batchSize = opts.batchSize ?? 32
  const shuffle = opts.shuffle ?? true
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('INVALID_ARGUMENT', `loader source: batchSize must be a positive integer, got ${batchSize}`)
  }
  for (let i = 0; i < size; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `loader source: label ${labels[i]} of sample ${i} is outside [0, ${numClasses})`
      )
    }
  }
  return {
    size,
    batchSize,
    numClasses,
    labels,
    async *batches(epochSeed: number) {
      const order = shuffle
        ? shuffledIndices(size, mulberry32(epochSeed))
        : Int32Array.from({ length: size }, (_, i) => i)
      for (const chunk of chunks(order, batchSize)) {
        const indices = Int32Array.from(chunk)
        const loaded = await load(indices)
        const { x, values } = loaded instanceof tf.Tensor ? { x: loaded, values: undefined } : loaded
        if (x.shape[0] !== indices.length) {
          const got = x.shape[0]
          x.dispose()
          throw new AppError('IO', `loader source: load() returned ${got} rows for a batch of ${indices.length}`)
        }
        const batchLabels = Int32Array.from(indices, (i) => labels[i])
        const oneHot = new Float32Array(indices.length * numClasses)
        batchLabels.forEach((k, r) => (oneHot[r * numClasses + k] = 1))
        const y = tf.tensor2d(oneHot, [indices.length, numClasses])
        yield { x, xValues: values, y, labels: batchLabels, indices }
      }
    }
  }
}

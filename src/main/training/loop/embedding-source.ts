import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { chunks, type Batch, type BatchSource } from './batch-source'
import { mulberry32, shuffledIndices } from './random'

/** Options of createEmbeddingSource. */
export interface EmbeddingSourceOptions {
  /** Samples per batch. Default 32. */
  batchSize?: number
  /** Reshuffle every epoch from the epoch seed (training) or keep dataset order (validation). Default true. */
  shuffle?: boolean
}

/**
 * An in-memory BatchSource over cached embeddings (stage 1): `rows` is `size × featureDim` float32,
 * row-major; `labels[i]` ∈ [0, numClasses). Only the current batch is copied into a tensor.
 */
export function createEmbeddingSource(
  rows: Float32Array,
  featureDim: number,
  labels: Int32Array,
  numClasses: number,
  opts: EmbeddingSourceOptions = {}
): BatchSource & { readonly featureDim: number } {
  const size = labels.length
  const batchSize = opts.batchSize ?? 32
  const shuffle = opts.shuffle ?? true
  if (!Number.isInteger(featureDim) || featureDim < 1 || rows.length !== size * featureDim) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `embedding source: ${rows.length} floats is not ${size} rows × featureDim ${featureDim}`
    )
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('INVALID_ARGUMENT', `embedding source: batchSize must be a positive integer, got ${batchSize}`)
  }
  for (let i = 0; i < size; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `embedding source: label ${labels[i]} of row ${i} is outside [0, ${numClasses})`
      )
    }
  }

  function makeBatch(idx: Int32Array): Batch {
    const b = idx.length
    const x = new Float32Array(b * featureDim)
    const y = new Float32Array(b * numClasses)
    const batchLabels = new Int32Array(b)
    for (let r = 0; r < b; r++) {
      const src = idx[r]
      x.set(rows.subarray(src * featureDim, (src + 1) * featureDim), r * featureDim)
      batchLabels[r] = labels[src]
      y[r * numClasses + labels[src]] = 1
    }
    return {
      x: tf.tensor2d(x, [b, featureDim]),
      xValues: x,
      y: tf.tensor2d(y, [b, numClasses]),
      labels: batchLabels,
      indices: Int32Array.from(idx)
    }
  }

  return {
    size,
    batchSize,
    numClasses,
    labels,
    featureDim,
    async *batches(epochSeed: number) {
      const order = shuffle
        ? shuffledIndices(size, mulberry32(epochSeed))
        : Int32Array.from({ length: size }, (_, i) => i)
      for (const idx of chunks(order, batchSize)) yield makeBatch(idx)
    }
  }
}

import type * as tf from '@tensorflow/tfjs'

/** One mini-batch. The consumer owns `x` and `y` and disposes them after use. */
export interface Batch {
  /** Inputs: `[b, featureDim]` embeddings or `[b, H, W, C]` float images. */
  x: tf.Tensor
  /**
   * The values of `x`, row-major, when the source holds them in memory anyway: the ONNX Runtime trainers
   * read them instead of downloading `x` from the tfjs backend.
   */
  xValues?: Float32Array
  /** One-hot targets `[b, K]` float32. */
  y: tf.Tensor2D
  /** Class index of each row (the argmax of `y`), for class weights and metrics without a GPU read. */
  labels: Int32Array
  /** Dataset row of each sample (for tracing predictions back to files). */
  indices: Int32Array
}

/**
 * A dataset streamed as mini-batches, so at most a few batches are in memory at a time.
 * `batches(epochSeed)` yields one epoch; a shuffling source must derive its order from `epochSeed`
 * alone (same seed ⇒ same order), which keeps training reproducible and resumable.
 */
export interface BatchSource {
  /** Number of samples in one epoch. */
  readonly size: number
  /** Samples per batch (the last batch of an epoch may be smaller). */
  readonly batchSize: number
  /** Number of classes K (width of `y`). */
  readonly numClasses: number
  /** Class index of every sample, in dataset order (used for class weights). */
  readonly labels: Int32Array
  /** Streams one epoch of batches. */
  batches(epochSeed: number): AsyncIterable<Batch>
}

/** Splits `order` into consecutive runs of `batchSize` (the last one may be shorter). */
export function* chunks(order: Int32Array, batchSize: number): Generator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) yield order.subarray(start, start + batchSize)
}

import * as tf from '@tensorflow/tfjs'
import { createLoaderSource } from '../loop/loader-source'
import type { BatchSource } from '../loop/batch-source'
import { loadModelInput } from '../preprocess/load-model-input'
import type { PreprocessSpec } from '../preprocess/spec'
import type { JobItem } from './job'

/**
 * A batch source that decodes and preprocesses images from disk one batch at a time (the trainer prefetches
 * the next batch while this one computes), so memory stays bounded whatever the dataset size.
 */
export function imageSource(
  items: readonly JobItem[],
  numClasses: number,
  spec: PreprocessSpec,
  opts: { batchSize: number; shuffle: boolean }
): BatchSource {
  const s = spec.inputSize
  return createLoaderSource({
    labels: Int32Array.from(items.map((i) => i.label)),
    numClasses,
    batchSize: opts.batchSize,
    shuffle: opts.shuffle,
    load: async (indices) => {
      const per = s * s * 3
      const values = new Float32Array(indices.length * per)
      await Promise.all(
        Array.from(indices, (i, j) =>
          loadModelInput(items[i].path, spec, items[i].frame, items[i].plane, { out: values, offset: j * per })
        )
      )
      return { x: tf.tensor4d(values, [indices.length, s, s, 3]), values }
    }
  })
}

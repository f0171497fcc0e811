import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import type { BatchSource } from './batch-source'

/** Per-column mean and population variance of row-major `[rows, columns]` blocks, accumulated in float64. */
export class ColumnMoments {
  private readonly sum: Float64Array
  private readonly sumSq: Float64Array
  rows = 0

  constructor(readonly columns: number) {
    this.sum = new Float64Array(columns)
    this.sumSq = new Float64Array(columns)
  }

  add(block: ArrayLike<number>): void {
    const c = this.columns
    const rows = block.length / c
    for (let r = 0; r < rows; r++) {
      const base = r * c
      for (let j = 0; j < c; j++) {
        const x = block[base + j]
        this.sum[j] += x
        this.sumSq[j] += x * x
      }
    }
    this.rows += rows
  }

  /** Writes the mean and the population (biased) variance, the quantities BN's moving averages estimate. */
  writeTo(mean: Float32Array, variance: Float32Array): void {
    for (let j = 0; j < this.columns; j++) {
      const mu = this.sum[j] / this.rows
      mean[j] = mu
      variance[j] = Math.max(0, this.sumSq[j] / this.rows - mu * mu)
    }
  }
}

/**
 * Re-estimates the moving mean and variance of every trainable BatchNormalization layer in a chain head
 * exactly: the population mean and (biased) variance of the layer's input over the whole `source`, with the
 * layers below it in inference mode (lower BN layers already re-estimated). `headInput` maps a batch's `x`
 * to the head's input (identity on embeddings, the frozen backbone + pooling on images). Why: see
 * StageTarget.recalibrateBatchNorm (#13: momentum 0.99 leaves the statistics near 0/1 on small data).
 */
export async function recalibrateHeadBatchNorm(
  layers: readonly tf.layers.Layer[],
  headInput: (x: tf.Tensor) => tf.Tensor,
  source: BatchSource,
  signal?: AbortSignal
): Promise<void> {
  const targets = layers
    .map((layer, i) => ({ layer, i }))
    .filter(({ layer }) => layer.getClassName() === 'BatchNormalization' && layer.trainable)
  if (targets.length === 0) return
  // The head's inputs once (one backbone pass on images), then each BN layer from those.
  const chunks: tf.Tensor2D[] = []
  try {
    for await (const b of source.batches(0)) {
      try {
        if (signal?.aborted) throw new AppError('CANCELLED', 'BatchNorm re-estimation cancelled')
        chunks.push(tf.tidy(() => headInput(b.x) as tf.Tensor2D))
      } finally {
        b.x.dispose()
        b.y.dispose()
      }
    }
    for (const { layer, i } of targets) {
      const moments = new ColumnMoments(Number(layer.weights[0].shape[0]))
      for (const chunk of chunks) {
        const v = tf.tidy(() =>
          layers.slice(0, i).reduce((t, l) => l.apply(t, { training: false }) as tf.Tensor, chunk.clone() as tf.Tensor)
        )
        moments.add(v.dataSync())
        v.dispose()
      }
      if (moments.rows === 0) return
      const mean = new Float32Array(moments.columns)
      const variance = new Float32Array(moments.columns)
      moments.writeTo(mean, variance)
      const stat = (suffix: string) => layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`))
      const mm = stat('moving_mean')
      const mv = stat('moving_variance')
      if (!mm || !mv) throw new AppError('INTERNAL', `BatchNorm layer "${layer.name}" has no moving statistics`)
      tf.tidy(() => {
        mm.write(tf.tensor1d(mean))
        mv.write(tf.tensor1d(variance))
      })
    }
  } finally {
    tf.dispose(chunks)
  }
}

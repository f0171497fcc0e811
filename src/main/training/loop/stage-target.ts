import type { AugmentConfig } from '../augment/config'
import type { Batch, BatchSource } from './batch-source'
import type { NamedWeights } from './weights'

/** What one training step reports back to the loop. */
export interface StepOutcome {
  /** Mean (sample-weighted) categorical cross-entropy of the batch, nats. */
  loss: number
  /** Rows whose training-mode argmax equals the label. */
  correct: number
}

/**
 * What trainStage drives: one model with its weights and optimizer, whatever computes the steps. A tfjs
 * TrainTarget is adapted to it (tfjs-stage-target.ts); the ONNX Runtime trainers (training/graph/)
 * implement it directly with weights in Float32Arrays. Weights are exchanged as NamedWeights in one fixed
 * order with the model's tfjs weight names, so checkpoints and resume points are the same files either way.
 */
export interface StageTarget {
  /** For messages: 'head' or the model's name. */
  readonly name: string
  /** Creates the optimizer at learning rate `lr`; called once, before any other method but `importWeights`. */
  begin(lr: number): void
  /** The optimizer's learning rate; callbacks change it between epochs. */
  lr: number
  /**
   * One optimisation step on a batch: training-mode forward (dropout masks and augmentation derived from
   * `stepSeed`), loss with per-class `classWeights` (null = all 1), gradients and the optimizer update.
   */
  trainBatch(
    b: Batch,
    stepSeed: number,
    classWeights: Float32Array | null,
    augment?: AugmentConfig
  ): Promise<StepOutcome>
  /** Inference-mode mean unweighted loss and accuracy over a source. */
  evaluate(source: BatchSource, signal?: AbortSignal): Promise<{ loss: number; accuracy: number }>
  /**
   * Re-estimates the moving statistics of the BatchNorm layers that train in batch mode, exactly, over
   * `source` (inference mode below each layer). Why: at Keras' momentum 0.99 the moving averages still sit
   * near their initial 0/1 after a few dozen steps, and inference-mode predictions are then garbage on
   * small data (#13). Absent when the model has no such layer.
   */
  recalibrateBatchNorm?(source: BatchSource, signal?: AbortSignal): Promise<void>
  /** A copy of every weight (BN statistics included), in the fixed order. */
  exportWeights(): NamedWeights
  /** Loads weights from exportWeights() (of this or the other trainer), checking names and shapes. */
  importWeights(weights: NamedWeights, what: string): void
  exportOptimizer(): NamedWeights
  /** Loads exportOptimizer() output; after begin(), before the first step. */
  importOptimizer(state: NamedWeights): void
  /** Frees the optimizer and sessions; a graph trainer writes its weights back into its model here. */
  end(): Promise<void>
}

/** Checks that `weights` match `expected` (names and element counts, by position). */
export function checkNamedWeights(
  expected: readonly { name: string; shape: readonly number[] }[],
  weights: NamedWeights,
  what: string
): string | null {
  if (weights.length !== expected.length) return `${what}: expected ${expected.length} weights, got ${weights.length}`
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]
    const w = weights[i]
    if (w.name !== e.name) return `${what}: weight ${i} is "${w.name}" but the model expects "${e.name}"`
    const size = e.shape.reduce((a, b) => a * b, 1)
    if (w.values.length !== size) {
      return `${what}: weight "${e.name}" has ${w.values.length} values, the model expects [${e.shape.join(', ')}]`
    }
  }
  return null
}

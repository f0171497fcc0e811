import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { augmentBatch } from '../augment/augment-batch'
import type { AugmentConfig } from '../augment/config'
import type { Batch } from './batch-source'
import { evaluateSource } from './evaluate-source'
import { categoricalCrossEntropy, countCorrect } from './loss'
import { createOptimizer, type StageOptimizer } from './optimizer'
import { deriveSeed, mulberry32 } from './random'
import { checkNamedWeights, type StageTarget } from './stage-target'
import type { TrainTarget } from './target'
import { exportWeights, importWeights } from './weights'

/**
 * Adapts a tfjs TrainTarget to the StageTarget trainStage drives: steps run through the target's explicit
 * head step when it has one, else through tf.variableGrads over forward + loss, with the tfjs Adam of
 * optimizer.ts. Weights live in the model's variables.
 */
export function tfjsStageTarget(target: TrainTarget): StageTarget {
  const variables = target.trainableVariables()
  if (variables.length === 0) {
    throw new AppError('INVALID_ARGUMENT', `model "${target.name}" has no trainable weights`)
  }
  let optimizer: StageOptimizer | null = null
  const opt = (): StageOptimizer => {
    if (!optimizer) throw new AppError('INTERNAL', `training "${target.name}": begin() was not called`)
    return optimizer
  }
  const names = target.weights.map((v) => ({ name: v.originalName, shape: v.shape as number[] }))
  return {
    name: target.name,
    get lr() {
      return opt().lr
    },
    set lr(v: number) {
      opt().lr = v
    },
    begin(lr) {
      optimizer = createOptimizer(lr)
    },
    trainBatch(b, stepSeed, classWeights, augment) {
      const { loss, probs } = step(target, opt(), variables, b, stepSeed, classWeights, augment)
      const correct = countCorrect(probs, b.labels)
      probs.dispose()
      const value = loss.dataSync()[0]
      loss.dispose()
      return Promise.resolve({ loss: value, correct })
    },
    evaluate: (source, signal) => evaluateSource(target, source, signal),
    recalibrateBatchNorm: target.recalibrateBatchNorm?.bind(target),
    // Copies: a snapshot must not change when training goes on (the cpu backend hands out its own arrays).
    exportWeights: () => exportWeights(target.weights).map((w) => ({ ...w, values: Float32Array.from(w.values) })),
    importWeights(weights, what) {
      const bad = checkNamedWeights(names, weights, what)
      if (bad) throw new AppError('INVALID_ARGUMENT', bad)
      importWeights(target.weights, weights, what)
    },
    exportOptimizer: () => opt().exportState(),
    importOptimizer: (state) => opt().importState(state),
    end() {
      optimizer?.dispose()
      optimizer = null
      return Promise.resolve()
    }
  }
}

/** One optimisation step; returns the loss scalar and the batch's probabilities (caller disposes). */
function step(
  target: TrainTarget,
  optimizer: StageOptimizer,
  variables: tf.Variable[],
  b: Batch,
  stepSeed: number,
  classWeights: Float32Array | null,
  augment: AugmentConfig | undefined
): { loss: tf.Scalar; probs: tf.Tensor2D } {
  const augmented =
    augment && b.x.rank === 4
      ? augmentBatch(b.x as tf.Tensor4D, augment, mulberry32(deriveSeed(stepSeed, 'augment')))
      : null
  const prepared = target.prepare(augmented ?? b.x)
  augmented?.dispose()
  const weights = classWeights ? tf.tensor1d(Float32Array.from(b.labels, (k) => classWeights[k])) : undefined
  try {
    if (target.trainStep) {
      const { loss, probs, grads } = target.trainStep(prepared, b.y, weights, stepSeed)
      optimizer.apply(variables, grads)
      tf.dispose(grads)
      return { loss, probs }
    }
    const kept: { probs?: tf.Tensor2D } = {}
    const { value, grads } = tf.variableGrads(() => {
      const p = target.forward(prepared, true, stepSeed)
      // Kept past the tape's tidy so accuracy needs no second forward pass.
      kept.probs = tf.keep(p)
      return categoricalCrossEntropy(p, b.y, weights)
    }, variables)
    optimizer.apply(variables, grads)
    tf.dispose(grads)
    return { loss: value, probs: kept.probs as tf.Tensor2D }
  } finally {
    prepared.dispose()
    weights?.dispose()
  }
}

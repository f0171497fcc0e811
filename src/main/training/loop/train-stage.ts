import * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { augmentBatch } from '../augment/augment-batch'
import { createOptimizer, type StageOptimizer } from './optimizer'
import type { AugmentConfig } from '../augment/config'
import type { Batch, BatchSource } from './batch-source'
import type { EpochLogs, TrainingCallback, TrainingControl } from './callback'
import { categoricalCrossEntropy, countCorrect } from './loss'
import { prefetch } from './prefetch'
import { RESUME_STATE_VERSION, type ResumePoint, type ResumeState } from './resume'
import { deriveSeed, mulberry32 } from './random'
import type { TrainTarget } from './target'
import { evaluateSource } from './evaluate-source'
import { exportWeights, importWeights, snapshotWeights, writeWeights, type NamedWeights } from './weights'

/** Progress of one training step. */
export interface BatchEvent {
  stage: string
  /** 0-based epoch and batch indices; `batches` per epoch. */
  epoch: number
  batch: number
  batches: number
  /** This batch's loss (nats) and accuracy in [0, 1]. */
  loss: number
  accuracy: number
  /** Samples per second of this step, data wait included. */
  samplesPerSecond: number
}

/** Options of trainStage. */
export interface TrainStageOptions {
  /** Names the stage in events, errors and resume state. Default 'stage'. */
  name?: string
  train: BatchSource
  validation?: BatchSource
  /** Total epochs of the stage (a resumed run counts the epochs already done). */
  epochs: number
  /** Initial Adam learning rate (stage 1: 1e-3, stage 2: 1e-4). */
  learningRate: number
  /** Drives shuffling, dropout and augmentation (weight init is seeded by the head config). */
  seed: number
  /** Per-class loss weights (see balancedClassWeights); omitted = all 1. */
  classWeights?: readonly number[]
  /** Random augmentation applied to rank-4 training inputs; omitted = none. */
  augment?: AugmentConfig
  callbacks?: TrainingCallback[]
  /** Cancels between batches; trainStage then throws AppError('CANCELLED'). */
  signal?: AbortSignal
  onBatch?: (e: BatchEvent) => void
  onEpoch?: (logs: EpochLogs) => void | Promise<void>
  /** Receives a ResumePoint after every epoch (persist it to resume after a crash or cancel). */
  onResumePoint?: (point: ResumePoint) => void | Promise<void>
  /** Continue from a point produced by onResumePoint. */
  resume?: ResumePoint
  /** Batches loaded ahead of the one training. Default 1. */
  prefetchDepth?: number
}

/** Outcome of trainStage. */
export interface StageResult {
  history: EpochLogs[]
  /** Set when a callback stopped the stage early, with its reason. */
  stopReason: string | null
  /** Final state (the model's weights are in the model itself). */
  state: ResumeState
}

function disposeBatch(b: Batch): void {
  b.x.dispose()
  b.y.dispose()
}

function checkOptions(target: TrainTarget, o: TrainStageOptions, stage: string): void {
  const bad = (msg: string): never => {
    throw new AppError('INVALID_ARGUMENT', `training stage "${stage}" (${target.name}): ${msg}`)
  }
  if (!Number.isInteger(o.epochs) || o.epochs < 0) bad(`epochs must be an integer ≥ 0, got ${o.epochs}`)
  if (!(o.learningRate > 0)) bad(`learningRate must be > 0, got ${o.learningRate}`)
  if (!Number.isInteger(o.seed)) bad(`seed must be an integer, got ${o.seed}`)
  if (o.train.size === 0) bad('the training source is empty')
  if (o.validation && o.validation.numClasses !== o.train.numClasses) {
    bad(`validation has ${o.validation.numClasses} classes, training ${o.train.numClasses}`)
  }
  if (o.classWeights && o.classWeights.length !== o.train.numClasses) {
    bad(`classWeights has ${o.classWeights.length} entries for ${o.train.numClasses} classes`)
  }
  const names = (o.callbacks ?? []).map((c) => c.name)
  if (new Set(names).size !== names.length) bad(`callback names must be unique, got ${names.join(', ')}`)
  const r = o.resume?.state
  if (r) {
    if (r.version !== RESUME_STATE_VERSION) bad(`resume state version ${r.version} is not ${RESUME_STATE_VERSION}`)
    if (r.stage !== stage) bad(`resume state belongs to stage "${r.stage}"`)
    if (r.seed !== o.seed) bad(`resume state was made with seed ${r.seed}, not ${o.seed}`)
  }
}

function cancelled(stage: string, epoch: number, batch: number): AppError {
  return new AppError('CANCELLED', `training stage "${stage}" cancelled at epoch ${epoch + 1}, batch ${batch + 1}`)
}

/**
 * Trains `target` for up to `epochs` epochs with Adam and categorical cross-entropy, in a custom loop:
 * per batch it (optionally) augments, runs prepare() outside the tape, then forward + loss under
 * tf.variableGrads and applies the gradients; per epoch it validates, runs callbacks (in order) and
 * emits logs and a resume point. All randomness derives from `seed` (per epoch and batch), so equal
 * seeds on the same backend give identical metrics, and a resumed run continues bit-exactly.
 * Leaves no tensors behind (the optimizer and callback snapshots are disposed at the end).
 */
export async function trainStage(target: TrainTarget, opts: TrainStageOptions): Promise<StageResult> {
  const stage = opts.name ?? 'stage'
  checkOptions(target, opts, stage)
  const callbacks = opts.callbacks ?? []
  const variables = target.trainableVariables()
  if (variables.length === 0) {
    throw new AppError('INVALID_ARGUMENT', `training stage "${stage}": model "${target.name}" has no trainable weights`)
  }
  const resume = opts.resume
  const state: ResumeState = resume
    ? (JSON.parse(JSON.stringify(resume.state)) as ResumeState)
    : {
        version: RESUME_STATE_VERSION,
        stage,
        seed: opts.seed,
        epochsCompleted: 0,
        lr: opts.learningRate,
        stopped: false,
        history: [],
        callbacks: {}
      }
  const optimizer = createOptimizer(state.lr)
  const classWeights = opts.classWeights ? Float32Array.from(opts.classWeights) : null
  let stopReason: string | null = null
  let epoch = state.epochsCompleted

  const ctl: TrainingControl = {
    get epoch() {
      return epoch
    },
    get lr() {
      return optimizer.lr
    },
    set lr(v: number) {
      optimizer.lr = v
    },
    stop(reason) {
      stopReason = reason
    },
    snapshot: () => snapshotWeights(target.weights),
    restore: (w) => writeWeights(target.weights, w, `training stage "${stage}"`),
    toNamed: (w) =>
      w.map((t, i) => ({
        name: target.weights[i].originalName,
        shape: [...t.shape],
        values: Float32Array.from(t.dataSync())
      })),
    fromNamed: (w) => {
      if (w.length !== target.weights.length || w.some((x, i) => x.name !== target.weights[i].originalName)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `training stage "${stage}": held weights do not match model "${target.name}"`
        )
      }
      return w.map((x) => tf.tensor(x.values, x.shape, 'float32'))
    }
  }

  try {
    if (resume) {
      importWeights(target.weights, resume.weights, `resume of stage "${stage}"`)
      optimizer.importState(resume.optimizer)
      for (const cb of callbacks) {
        const s = resume.state.callbacks[cb.name]
        if (s !== undefined) cb.setState(s)
        const held = resume.callbackWeights[cb.name]
        if (held && cb.setHeldWeights) cb.setHeldWeights(held, ctl)
      }
      if (state.stopped) stopReason = 'the resumed stage had already stopped'
    }

    const batches = Math.ceil(opts.train.size / opts.train.batchSize)
    while (stopReason === null && epoch < opts.epochs) {
      if (opts.signal?.aborted) throw cancelled(stage, epoch, 0)
      const t0 = performance.now()
      const lr = optimizer.lr
      let lossSum = 0
      let correct = 0
      let seen = 0
      let batch = 0
      let last = t0
      const stream = prefetch(
        opts.train.batches(deriveSeed(opts.seed, 'shuffle', epoch)),
        disposeBatch,
        opts.prefetchDepth
      )
      for await (const b of stream) {
        try {
          // Batches from memory resolve without ever reaching the event loop; yield every few batches so a
          // cancel message (or the host going away) is seen within a batch or two, not at the end of the stage.
          if (batch % 4 === 0) await new Promise<void>((r) => setImmediate(r))
          if (opts.signal?.aborted) throw cancelled(stage, epoch, batch)
          const stepSeed = deriveSeed(opts.seed, 'step', epoch, batch)
          const n = b.labels.length
          const { loss, probs } = step(target, optimizer, variables, b, stepSeed, classWeights, opts.augment)
          const acc = countCorrect(probs, b.labels)
          probs.dispose()
          const lossValue = loss.dataSync()[0]
          loss.dispose()
          if (!Number.isFinite(lossValue)) {
            throw new AppError(
              'INTERNAL',
              `training stage "${stage}": loss became ${lossValue} at epoch ${epoch + 1}, batch ${batch + 1}`
            )
          }
          lossSum += lossValue * n
          correct += acc
          seen += n
          const now = performance.now()
          opts.onBatch?.({
            stage,
            epoch,
            batch,
            batches,
            loss: lossValue,
            accuracy: acc / n,
            samplesPerSecond: n / Math.max((now - last) / 1000, 1e-9)
          })
          last = now
          batch++
        } finally {
          disposeBatch(b)
        }
      }
      const trainSeconds = (performance.now() - t0) / 1000
      const val = opts.validation ? await evaluateSource(target, opts.validation, opts.signal) : null
      const logs: EpochLogs = {
        epoch,
        loss: lossSum / seen,
        accuracy: correct / seen,
        valLoss: val ? val.loss : null,
        valAccuracy: val ? val.accuracy : null,
        lr,
        seconds: (performance.now() - t0) / 1000,
        samplesPerSecond: seen / Math.max(trainSeconds, 1e-9)
      }
      for (const cb of callbacks) await cb.onEpochEnd(logs, ctl)
      epoch++
      state.history.push(logs)
      state.epochsCompleted = epoch
      state.lr = optimizer.lr
      state.stopped = stopReason !== null
      state.callbacks = Object.fromEntries(callbacks.map((cb) => [cb.name, cb.getState()]))
      await opts.onEpoch?.(logs)
      if (opts.onResumePoint) await opts.onResumePoint(await resumePoint(state, target, optimizer, callbacks, ctl))
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(ctl)
    return { history: state.history, stopReason, state: JSON.parse(JSON.stringify(state)) as ResumeState }
  } finally {
    optimizer.dispose()
    for (const cb of callbacks) cb.dispose?.()
  }
}

async function resumePoint(
  state: ResumeState,
  target: TrainTarget,
  optimizer: StageOptimizer,
  callbacks: TrainingCallback[],
  ctl: TrainingControl
): Promise<ResumePoint> {
  const callbackWeights: Record<string, NamedWeights> = {}
  for (const cb of callbacks) {
    const held = cb.heldWeights?.(ctl)
    if (held) callbackWeights[cb.name] = held
  }
  return {
    state: JSON.parse(JSON.stringify(state)) as ResumeState,
    weights: exportWeights(target.weights),
    optimizer: optimizer.exportState(),
    callbackWeights
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

import { AppError } from '../../../shared/errors'
import type { AugmentConfig } from '../augment/config'
import type { Batch, BatchSource } from './batch-source'
import type { EpochLogs, TrainingCallback, TrainingControl } from './callback'
import { prefetch } from './prefetch'
import { RESUME_STATE_VERSION, type ResumePoint, type ResumeState } from './resume'
import { deriveSeed } from './random'
import type { StageTarget } from './stage-target'
import type { TrainTarget } from './target'
import { tfjsStageTarget } from './tfjs-stage-target'
import type { NamedWeights } from './weights'

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
  /**
   * Re-estimate the BN moving statistics exactly over the training source after every epoch, before
   * validation (StageTarget.recalibrateBatchNorm). Default true; false keeps Keras' moving averages alone,
   * which on small data leaves inference-mode BN far from the statistics it trained with (#13).
   */
  recalibrateBatchNorm?: boolean
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

function checkOptions(target: { name: string }, o: TrainStageOptions, stage: string): void {
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

/** Whether a model is already a StageTarget (an ONNX Runtime trainer) rather than a tfjs TrainTarget. */
export function isStageTarget(t: TrainTarget | StageTarget): t is StageTarget {
  return typeof (t as StageTarget).trainBatch === 'function'
}

/**
 * Trains `model` for up to `epochs` epochs with Adam and categorical cross-entropy, in a custom loop: per
 * batch one step of the StageTarget (a tfjs TrainTarget is adapted by tfjsStageTarget; ONNX Runtime trainers
 * come as StageTargets); per epoch it re-estimates the BN moving statistics, validates, runs callbacks (in
 * order) and emits logs and a resume point. All randomness derives from `seed` (per epoch and batch), so
 * equal seeds on the same engine give identical metrics, and a resumed run continues bit-exactly.
 * Leaves no tensors behind; a StageTarget's end() runs however the stage ends.
 */
export async function trainStage(model: TrainTarget | StageTarget, opts: TrainStageOptions): Promise<StageResult> {
  const stage = opts.name ?? 'stage'
  if (!isStageTarget(model)) checkOptions(model, opts, stage)
  const callbacks = opts.callbacks ?? []
  let target: StageTarget
  try {
    target = isStageTarget(model) ? model : tfjsStageTarget(model)
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `training stage "${stage}": ${err.message}`)
    throw err
  }
  // A graph trainer holds native sessions (and its model's final weights): end() must run whatever happens.
  if (isStageTarget(model)) {
    try {
      checkOptions(model, opts, stage)
    } catch (err) {
      await model.end()
      throw err
    }
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
  const classWeights = opts.classWeights ? Float32Array.from(opts.classWeights) : null
  const recalibrate = opts.recalibrateBatchNorm !== false ? target.recalibrateBatchNorm?.bind(target) : undefined
  let stopReason: string | null = null
  let epoch = state.epochsCompleted

  const ctl: TrainingControl = {
    get epoch() {
      return epoch
    },
    get lr() {
      return target.lr
    },
    set lr(v: number) {
      target.lr = v
    },
    stop(reason) {
      stopReason = reason
    },
    snapshot: () => target.exportWeights(),
    restore: (w) => target.importWeights(w, `training stage "${stage}"`)
  }

  try {
    target.begin(state.lr)
    if (resume) {
      target.importWeights(resume.weights, `resume of stage "${stage}"`)
      target.importOptimizer(resume.optimizer)
      for (const cb of callbacks) {
        const s = resume.state.callbacks[cb.name]
        if (s !== undefined) cb.setState(s)
        const held = resume.callbackWeights[cb.name]
        if (held && cb.setHeldWeights) cb.setHeldWeights(held)
      }
      if (state.stopped) stopReason = 'the resumed stage had already stopped'
    }

    const batches = Math.ceil(opts.train.size / opts.train.batchSize)
    while (stopReason === null && epoch < opts.epochs) {
      if (opts.signal?.aborted) throw cancelled(stage, epoch, 0)
      const t0 = performance.now()
      const lr = target.lr
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
          const { loss: lossValue, correct: acc } = await target.trainBatch(b, stepSeed, classWeights, opts.augment)
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
      if (recalibrate) await recalibrate(opts.train, opts.signal)
      const val = opts.validation ? await target.evaluate(opts.validation, opts.signal) : null
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
      state.lr = target.lr
      state.stopped = stopReason !== null
      state.callbacks = Object.fromEntries(callbacks.map((cb) => [cb.name, cb.getState()]))
      await opts.onEpoch?.(logs)
      if (opts.onResumePoint) await opts.onResumePoint(resumePoint(state, target, callbacks))
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(ctl)
    return { history: state.history, stopReason, state: JSON.parse(JSON.stringify(state)) as ResumeState }
  } finally {
    await target.end()
    for (const cb of callbacks) cb.dispose?.()
  }
}

function resumePoint(state: ResumeState, target: StageTarget, callbacks: TrainingCallback[]): ResumePoint {
  const callbackWeights: Record<string, NamedWeights> = {}
  for (const cb of callbacks) {
    const held = cb.heldWeights?.()
    if (held) callbackWeights[cb.name] = held
  }
  return {
    state: JSON.parse(JSON.stringify(state)) as ResumeState,
    weights: target.exportWeights(),
    optimizer: target.exportOptimizer(),
    callbackWeights
  }
}

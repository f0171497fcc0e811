import path from 'node:path'
import type { EpochMetrics, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { AugmentConfig } from '../augment/config'
import type { BatchSource } from '../loop/batch-source'
import type { EpochLogs } from '../loop/callback'
import { deriveSeed } from '../loop/random'
import type { StageTarget } from '../loop/stage-target'
import type { TrainTarget } from '../loop/target'
import { trainStage, type StageResult } from '../loop/train-stage'
import { StageEta } from './eta'
import type { EngineRunEvent } from './job'
import type { ResumeStore } from './resume-store'
import { stageCallbacks } from './stage-callbacks'
import { writeWeightsFile } from './weights-file'

/** What every stage of one run shares: where it writes, whom it tells, what stops it. */
export interface StageContext {
  config: TrainingConfig
  modelDir: string
  /** Continue each stage from its saved resume point, when there is one. */
  resume: boolean
  store: ResumeStore
  emit: (e: EngineRunEvent) => void
  signal: AbortSignal
  classWeights?: readonly number[]
  /** Progress the run reports in its result and model card; updated as epochs finish. */
  progress: RunProgress
}

/** What the run has achieved so far, across stages. */
export interface RunProgress {
  bestValAccuracy: number | null
  /** Last stage that finished an epoch (or was finished before a resume). */
  lastStage: 1 | 2 | null
  epochsDone: { 1: number; 2: number }
  /** Epoch (0-based) of each stage's best checkpoint, null while it has none. */
  bestEpoch: { 1: number | null; 2: number | null }
}

/** File name (without extension) of a stage's best checkpoint in `<modelDir>/checkpoints`. */
export const bestCheckpointName = (stage: 1 | 2): string => `best-stage${stage}`

/** One stage's work: the model and its data. */
export interface StageWork {
  stage: 1 | 2
  target: TrainTarget | StageTarget
  train: BatchSource
  val: BatchSource
  epochs: number
  learningRate: number
  augment?: AugmentConfig
  /** trainStage's per-epoch BN re-estimation (default on). */
  recalibrateBatchNorm?: boolean
}

/**
 * Runs one stage through trainStage and turns what happens into run events: stage and resume marks, batch
 * progress with the stage's ETA, epoch metrics, learning-rate drops, early stops and best checkpoints
 * (written to `<modelDir>/checkpoints/best-stageN`), plus a resume point after every epoch. The same
 * adapter serves both stages and both engines, so callbacks, resume and cancel behave alike.
 */
/** An epoch's logs as the run event reports them. */
function epochMetrics(stage: 1 | 2, logs: EpochLogs): EpochMetrics {
  return {
    stage,
    epoch: logs.epoch,
    loss: logs.loss,
    accuracy: logs.accuracy,
    valLoss: logs.valLoss,
    valAccuracy: logs.valAccuracy,
    lr: logs.lr,
    seconds: logs.seconds
  }
}

/** The stage's resume point; an unreadable one is logged and the stage starts over (nothing saved is lost). */
function loadResumePoint(ctx: StageContext, name: string, stage: 1 | 2): ReturnType<ResumeStore['load']> {
  try {
    return ctx.store.load(name)
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'CORRUPT') throw err
    ctx.emit({ type: 'log', line: `stage ${stage} starts over: ${err.message}` })
    return null
  }
}

async function trainStageThenFlush(ctx: StageContext, ...args: Parameters<typeof trainStage>): Promise<StageResult> {
  let result: StageResult
  try {
    result = await trainStage(...args)
  } catch (err) {
    // The stage's own error (a cancel, a crash) is what the run reports; a point left half-written is
    // refused by load() and the stage then starts over.
    await ctx.store.flush().catch(() => undefined)
    throw err
  }
  await ctx.store.flush()
  return result
}

export async function runStageWithEvents(ctx: StageContext, work: StageWork): Promise<StageResult> {
  const { emit, progress } = ctx
  const { stage, train, val, epochs } = work
  const name = `stage${stage}`
  const resume = ctx.resume ? loadResumePoint(ctx, name, stage) : null
  if (resume) {
    emit({
      type: 'mark',
      mark: {
        kind: 'resume',
        stage,
        epoch: resume.state.epochsCompleted,
        text: `resumed at epoch ${resume.state.epochsCompleted + 1}`
      }
    })
    // The point's epochs are what trained. Their events are sent again (the catalog and the live curves
    // replace an epoch they hold), so an epoch whose event was lost when the app closed is recorded too.
    for (const logs of resume.state.history)
      emit({ type: 'epoch', metrics: epochMetrics(stage, logs), etaSeconds: null, replayed: true })
  }
  emit({
    type: 'mark',
    mark: { kind: 'stage', stage, epoch: resume?.state.epochsCompleted ?? 0, text: `Stage ${stage}` }
  })
  const eta = new StageEta(train.size, epochs)
  let prevLr = resume?.state.lr ?? work.learningRate
  let batchStart = performance.now()
  let epochSamples = 0
  // Resume points are written in the background; the stage is over only once the last one is on disk.
  const result = await trainStageThenFlush(ctx, work.target, {
    name,
    train,
    validation: val,
    epochs,
    learningRate: work.learningRate,
    seed: deriveSeed(ctx.config.seed, name),
    classWeights: ctx.classWeights,
    augment: work.augment,
    recalibrateBatchNorm: work.recalibrateBatchNorm,
    callbacks: stageCallbacks(ctx.config, (epoch, weights, logs) => {
      writeWeightsFile(path.join(ctx.modelDir, 'checkpoints'), bestCheckpointName(stage), weights)
      progress.bestValAccuracy = Math.max(progress.bestValAccuracy ?? 0, logs.valAccuracy ?? 0)
      progress.bestEpoch[stage] = epoch
      emit({ type: 'checkpoint', stage, epoch, valAccuracy: logs.valAccuracy })
      emit({
        type: 'mark',
        mark: { kind: 'checkpoint', stage, epoch, text: `best val_accuracy ${(logs.valAccuracy ?? 0).toFixed(3)}` }
      })
    }),
    signal: ctx.signal,
    resume: resume ?? undefined,
    onBatch: (b) => {
      const now = performance.now()
      const n = Math.min(train.batchSize, train.size - b.batch * train.batchSize)
      eta.observe(n, (now - batchStart) / 1000)
      batchStart = now
      epochSamples = b.batch === 0 ? n : epochSamples + n
      emit({
        type: 'batch',
        stage,
        epoch: b.epoch,
        batch: b.batch,
        batches: b.batches,
        loss: b.loss,
        accuracy: b.accuracy,
        imagesPerSecond: b.samplesPerSecond,
        etaSeconds: eta.remaining(b.epoch, epochSamples, val.size)
      })
    },
    onEpoch: async (logs: EpochLogs) => {
      // The previous epoch's resume point (written while this epoch trained) is on disk before this epoch is
      // reported: whoever sees epoch N can count on resuming from N − 1 at the latest.
      await ctx.store.flush()
      if (logs.lr < prevLr) {
        emit({
          type: 'mark',
          mark: {
            kind: 'lr-drop',
            stage,
            epoch: logs.epoch,
            text: `learning rate ${prevLr.toExponential(1)} → ${logs.lr.toExponential(1)}`
          }
        })
      }
      prevLr = logs.lr
      progress.epochsDone[stage] = logs.epoch + 1
      progress.lastStage = stage
      batchStart = performance.now()
      emit({
        type: 'epoch',
        metrics: epochMetrics(stage, logs),
        etaSeconds: eta.remaining(logs.epoch + 1, 0, val.size)
      })
    },
    onResumePoint: (point) => ctx.store.save(point)
  })
  progress.epochsDone[stage] = result.state.epochsCompleted
  if (result.stopReason) {
    emit({
      type: 'mark',
      mark: {
        kind: 'early-stop',
        stage,
        epoch: Math.max(0, result.state.epochsCompleted - 1),
        text: result.stopReason
      }
    })
  }
  progress.lastStage = stage
  return result
}

import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../../shared/errors'
import { createOrtHeadTarget } from '../graph/ort-head-target'
import type { StageTarget } from '../loop/stage-target'
import { headTarget, type TrainTarget } from '../loop/target'
import { balancedClassWeights } from '../loop/class-weights'
import { labelsOf, type Splits } from './embedding-sources'
import { ResumeStore } from './resume-store'
import type { BatchSource } from '../loop/batch-source'
import type { StageBackends } from './model-artifact'
import { runStageWithEvents, type RunProgress, type StageContext } from './stage-events'
import type { EngineRunEvent, TrainingJob } from './job'

type Emit = (e: EngineRunEvent) => void

/** The job's items by split; rejects a version without train or val images (both runs need them). */
export function splitItems(job: TrainingJob): Splits {
  const s: Splits = { train: [], val: [], test: [] }
  for (const it of job.items) s[it.split].push(it)
  if (s.train.length === 0)
    throw new AppError('INVALID_ARGUMENT', 'the dataset version has no training images; split the dataset first')
  if (s.val.length === 0) {
    throw new AppError(
      'INVALID_ARGUMENT',
      'the dataset version has no validation images; early stopping and checkpoints need a val split'
    )
  }
  return s
}

/** Stage 1's head trainer on cached embeddings: ONNX Runtime when it loads, else tfjs. */
async function stage1HeadTarget(
  head: tf.LayersModel,
  tfBackend: string,
  emit: Emit
): Promise<{ target: TrainTarget | StageTarget; backend: string }> {
  try {
    return { target: await createOrtHeadTarget(head), backend: 'ort' }
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
    emit({ type: 'log', line: `stage 1 head training on tfjs: ${err.message}` })
    return { target: headTarget(head), backend: tfBackend }
  }
}

/** The context both kinds of run train their stages in: fresh progress, resume store, class weights. */
export function stageContext(job: TrainingJob, splits: Splits, emit: Emit, signal: AbortSignal): StageContext {
  const { config } = job
  const progress: RunProgress = {
    bestValAccuracy: null,
    lastStage: null,
    epochsDone: { 1: 0, 2: 0 },
    bestEpoch: { 1: null, 2: null }
  }
  return {
    config,
    modelDir: job.modelDir,
    resume: job.resume,
    store: new ResumeStore(job.modelDir),
    emit,
    signal,
    classWeights:
      config.classWeights === 'balanced'
        ? balancedClassWeights(labelsOf(splits.train), job.classNames.length)
        : undefined,
    progress
  }
}

/**
 * Stage 1 on cached embeddings: the head trained on ONNX Runtime where it loads (else tfjs on `tfBackend`),
 * with the run's events, checkpoints and resume points; records the engine in `stageBackends` first, so a
 * cancelled stage still names it.
 */
export async function trainHeadOnEmbeddings(
  ctx: StageContext,
  head: tf.LayersModel,
  sources: { train: BatchSource; val: BatchSource },
  tfBackend: string,
  stageBackends: StageBackends
): Promise<void> {
  const s1 = await stage1HeadTarget(head, tfBackend, ctx.emit)
  stageBackends.stage1 = s1.backend
  await runStageWithEvents(ctx, {
    stage: 1,
    target: s1.target,
    train: sources.train,
    val: sources.val,
    epochs: ctx.config.stage1.epochs,
    learningRate: ctx.config.stage1.learningRate
  })
}

/** The split the final evaluation uses (test, else val, which it says is optimistic), announced as a phase. */
export function evaluationSplit(splits: Splits, emit: Emit): { split: 'test' | 'val'; items: Splits['test'] } {
  const split = splits.test.length > 0 ? 'test' : 'val'
  const items = splits[split]
  emit({ type: 'phase', text: `Evaluating on the ${split} split (${items.length} images)`, progress: null })
  if (split === 'val')
    emit({ type: 'log', line: 'no test split: the evaluation uses the validation split and is optimistic' })
  return { split, items }
}

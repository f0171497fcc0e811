import fs from 'node:fs'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import type { BackboneInfo, Evaluation } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import { EmbeddingCache } from '../backbone/embedding-cache'
import { EmbeddingExtractor } from '../backbone/embedding-extractor'
import { loadBackbone } from '../backbone/load-backbone'
import type { LoadedBackbone } from '../backbone/types'
import { augmentBatch } from '../augment/augment-batch'
import { buildHead } from '../head/build-head'
import { backboneFeatureDim, composeModel, type ComposedModel } from '../head/compose-model'
import type { BatchSource } from '../loop/batch-source'
import type { EpochLogs } from '../loop/callback'
import { balancedClassWeights } from '../loop/class-weights'
import { createEmbeddingSource } from '../loop/embedding-source'
import { predictSource } from '../loop/evaluate-source'
import { deriveSeed, mulberry32 } from '../loop/random'
import { headTarget, imageTarget, type TrainTarget } from '../loop/target'
import { trainStage } from '../loop/train-stage'
import { exportWeights, importWeights } from '../loop/weights'
import { makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import { StageEta } from './eta'
import { toEvaluation } from './evaluation'
import { imageSource } from './image-source'
import type { EngineRunEvent, JobItem, TrainingJob, TrainingJobResult } from './job'
import { MODEL_CARD, saveModelArtifact, type ModelCard } from './model-artifact'
import { ResumeStore } from './resume-store'
import { stageCallbacks } from './stage-callbacks'
import { readWeightsFile, writeWeightsFile } from './weights-file'

type Emit = (e: EngineRunEvent) => void

interface Splits {
  train: JobItem[]
  val: JobItem[]
  test: JobItem[]
}

function splitItems(job: TrainingJob): Splits {
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

const labelsOf = (items: readonly JobItem[]) => Int32Array.from(items.map((i) => i.label))

/**
 * Trains one run end to end inside an engine process: backbone → stage 1 (head on cached embeddings, or
 * end to end on a native backend) → stage 2 (top base layers unfrozen) → evaluation on the test split →
 * model folder with neuropath.json. Emits progress events; honours `signal` between batches; writes a
 * resume point after every epoch so a crash or cancel loses at most one epoch.
 */
export async function runTraining(job: TrainingJob, emit: Emit, signal: AbortSignal): Promise<TrainingJobResult> {
  const { config, classNames } = job
  const k = classNames.length
  if (k < 2) throw new AppError('INVALID_ARGUMENT', `training needs at least 2 classes, the dataset version has ${k}`)
  const splits = splitItems(job)
  const backend = await selectBackend()
  const store = new ResumeStore(job.modelDir)
  fs.mkdirSync(path.join(job.modelDir, 'checkpoints'), { recursive: true })
  emit({ type: 'phase', text: `Loading the ${config.backbone.kind} backbone`, progress: null })

  const backbone = await loadBackbone({
    kind: config.backbone.kind,
    path: config.backbone.path,
    inputSize: config.inputSize,
    seed: config.seed
  })
  const scaling = config.scaling === 'backbone' ? backbone.source.inputScaling : config.scaling
  const spec = makePreprocessSpec(config.inputSize, scaling)
  const backboneInfo: BackboneInfo = { ...backbone.source, inputScaling: scaling }
  emit({ type: 'backbone', backbone: backboneInfo, backend: backend.active })
  emit({ type: 'log', line: `backbone: ${backbone.source.description}` })
  emit({ type: 'log', line: `backend: ${backend.active} (${backend.devices.join('; ')})` })

  const head = buildHead(
    { numClasses: k, ...config.head, seed: deriveSeed(config.seed, 'head-init') },
    backboneFeatureDim(backbone.model)
  )
  const classWeights = config.classWeights === 'balanced' ? balancedClassWeights(labelsOf(splits.train), k) : undefined
  const augment = config.augmentation.enabled ? { ...config.augmentation } : undefined
  let composed: ComposedModel | null = null
  const composedModel = (): ComposedModel =>
    (composed ??= composeModel(backbone.model, head, { name: 'neuropath_classifier' }))

  const native = backend.active === 'node' || backend.active === 'node-gpu'
  const stage1Mode = config.stage1.mode === 'auto' ? (native ? 'end-to-end' : 'embeddings') : config.stage1.mode
  let extractor: EmbeddingExtractor | null = null
  let bestValAccuracy: number | null = null
  let lastStage: 1 | 2 | null = null
  let stopped = false
  const epochsDone = { 1: 0, 2: 0 }

  const runStage = async (
    stage: 1 | 2,
    target: TrainTarget,
    train: BatchSource,
    val: BatchSource,
    epochs: number,
    lr: number,
    withAugment: boolean
  ): Promise<void> => {
    const name = `stage${stage}`
    const resume = job.resume ? store.load(name) : null
    if (resume)
      emit({
        type: 'mark',
        mark: {
          kind: 'resume',
          stage,
          epoch: resume.state.epochsCompleted,
          text: `resumed at epoch ${resume.state.epochsCompleted + 1}`
        }
      })
    emit({
      type: 'mark',
      mark: { kind: 'stage', stage, epoch: resume?.state.epochsCompleted ?? 0, text: `Stage ${stage}` }
    })
    const eta = new StageEta(train.size, epochs)
    let prevLr = resume?.state.lr ?? lr
    let batchStart = performance.now()
    let epochSamples = 0
    const result = await trainStage(target, {
      name,
      train,
      validation: val,
      epochs,
      learningRate: lr,
      seed: deriveSeed(config.seed, name),
      classWeights,
      augment: withAugment ? augment : undefined,
      callbacks: stageCallbacks(config, (epoch, weights, logs) => {
        writeWeightsFile(path.join(job.modelDir, 'checkpoints'), `best-${name}`, weights)
        bestValAccuracy = Math.max(bestValAccuracy ?? 0, logs.valAccuracy ?? 0)
        emit({ type: 'checkpoint', stage, epoch, valAccuracy: logs.valAccuracy })
        emit({
          type: 'mark',
          mark: { kind: 'checkpoint', stage, epoch, text: `best val_accuracy ${(logs.valAccuracy ?? 0).toFixed(3)}` }
        })
      }),
      signal,
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
      onEpoch: (logs: EpochLogs) => {
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
        epochsDone[stage] = logs.epoch + 1
        lastStage = stage
        batchStart = performance.now()
        emit({
          type: 'epoch',
          metrics: {
            stage,
            epoch: logs.epoch,
            loss: logs.loss,
            accuracy: logs.accuracy,
            valLoss: logs.valLoss,
            valAccuracy: logs.valAccuracy,
            lr: logs.lr,
            seconds: logs.seconds
          },
          etaSeconds: eta.remaining(logs.epoch + 1, 0, val.size)
        })
      },
      onResumePoint: (point) => store.save(point)
    })
    epochsDone[stage] = result.state.epochsCompleted
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
    lastStage = stage
  }

  let testEmbeddings: BatchSource | null = null
  try {
    // ---- Stage 1: the head, base frozen.
    const stage1Done = path.join(job.modelDir, 'resume', 'stage1-done')
    if (config.stage1.enabled && config.stage1.epochs > 0) {
      if (job.resume && fs.existsSync(path.join(stage1Done, 'head.json'))) {
        importWeights(head.weights, readWeightsFile(stage1Done, 'head'), 'stage 1 head')
        emit({ type: 'log', line: 'stage 1 finished before the interruption; continuing with stage 2' })
        lastStage = 1
      } else if (stage1Mode === 'embeddings') {
        extractor = new EmbeddingExtractor({
          backbone,
          preprocess: spec,
          cache: new EmbeddingCache(path.join(job.cacheDir, 'embeddings'))
        })
        const sources = await embeddingSources(extractor, splits, k, config, spec, emit, signal)
        testEmbeddings = sources.test
        await runStage(
          1,
          headTarget(head),
          sources.train,
          sources.val,
          config.stage1.epochs,
          config.stage1.learningRate,
          false
        )
      } else {
        const target = imageTarget(composedModel(), { trainableTopLayers: 0 })
        const train = imageSource(splits.train, k, spec, { batchSize: config.batchSize, shuffle: true })
        const val = imageSource(splits.val, k, spec, { batchSize: config.batchSize, shuffle: false })
        await runStage(1, target, train, val, config.stage1.epochs, config.stage1.learningRate, true)
      }
      fs.mkdirSync(stage1Done, { recursive: true })
      writeWeightsFile(stage1Done, 'head', exportWeights(head.weights))
    }

    // ---- Stage 2: the top of the base unfrozen, BN kept in inference mode.
    if (config.stage2.enabled && config.stage2.epochs > 0) {
      if (!backend.supportsConvTraining) {
        // wasm lacks Conv2DBackpropFilter and the depthwise backprop kernels; the cpu backend has them.
        await tf.setBackend('cpu')
        emit({
          type: 'log',
          line: 'stage 2 runs on the cpu backend: the wasm backend has no convolution gradient kernels (about 20× slower)'
        })
      }
      const target = imageTarget(composedModel(), { trainableTopLayers: config.stage2.unfreezeTopLayers })
      const train = imageSource(splits.train, k, spec, { batchSize: config.batchSize, shuffle: true })
      const val = imageSource(splits.val, k, spec, { batchSize: config.batchSize, shuffle: false })
      await runStage(2, target, train, val, config.stage2.epochs, config.stage2.learningRate, true)
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'CANCELLED') stopped = true
    else throw err
  }

  // ---- Evaluation and the model folder (also after a cancel: the user keeps what was learned).
  if (lastStage === null) {
    if (stopped) throw new AppError('CANCELLED', 'the run was cancelled before its first epoch finished')
    throw new AppError('INVALID_ARGUMENT', 'both stages are disabled or have 0 epochs: nothing to train')
  }
  let evaluation: Evaluation | null = null
  if (!stopped) {
    const evalSplit = splits.test.length > 0 ? 'test' : 'val'
    const evalItems = splits[evalSplit]
    emit({ type: 'phase', text: `Evaluating on the ${evalSplit} split (${evalItems.length} images)`, progress: null })
    const preds =
      lastStage === 1 && extractor
        ? await predictSource(
            headTarget(head),
            evalSplit === 'test' && testEmbeddings
              ? testEmbeddings
              : await embedSplit(extractor, evalItems, k, config.batchSize, signal),
            signal
          )
        : await predictSource(
            imageTarget(composedModel(), { trainableTopLayers: 0 }),
            imageSource(evalItems, k, spec, { batchSize: config.batchSize, shuffle: false }),
            signal
          )
    evaluation = toEvaluation(evalSplit, preds, evalItems, classNames)
    if (evalSplit === 'val')
      emit({ type: 'log', line: 'no test split: the evaluation uses the validation split and is optimistic' })
  }
  await extractor?.close()

  emit({ type: 'phase', text: 'Saving the model', progress: null })
  const card: ModelCard = {
    format: 'neuropath-model',
    version: 1,
    classNames,
    preprocessing: spec,
    inputSize: config.inputSize,
    backbone: backboneInfo,
    config,
    dataset: job.dataset,
    training: {
      stage1Epochs: epochsDone[1],
      stage2Epochs: epochsDone[2],
      backend: backend.active,
      finishedAt: new Date().toISOString()
    },
    metrics: {
      bestValAccuracy,
      test: evaluation
        ? {
            accuracy: evaluation.accuracy,
            macroF1: evaluation.macroF1,
            weightedF1: evaluation.weightedF1,
            ece: evaluation.ece,
            n: evaluation.n
          }
        : null
    },
    featureLayer: backbone.model.outputs[0].sourceLayer.name
  }
  await saveModelArtifact(composedModel().model, path.join(job.modelDir, 'model'), card)
  emit({ type: 'log', line: `model saved to ${path.join(job.modelDir, 'model')} (${MODEL_CARD} describes it)` })
  disposeAll(backbone, composed, head)
  return {
    status: stopped ? 'stopped' : 'completed',
    backend: backend.active,
    backbone: backboneInfo,
    bestValAccuracy,
    evaluation,
    modelDir: path.join(job.modelDir, 'model')
  }
}

function disposeAll(backbone: LoadedBackbone, composed: ComposedModel | null, head: tf.LayersModel): void {
  // The composed model shares its layers with backbone and head: dispose the layers once.
  if (composed) composed.model.dispose()
  else {
    backbone.model.dispose()
    head.dispose()
  }
}

/** Embeddings of train (plus augmented variants), val and test, from the cache where possible. */
async function embeddingSources(
  extractor: EmbeddingExtractor,
  splits: Splits,
  k: number,
  config: TrainingJob['config'],
  spec: PreprocessSpec,
  emit: Emit,
  signal: AbortSignal
): Promise<{ train: BatchSource; val: BatchSource; test: BatchSource | null }> {
  const info = await extractor.start()
  emit({ type: 'log', line: `embeddings: ${info.engine}, ${info.featureDim} features per image` })
  const variants = config.augmentation.enabled ? config.stage1.augmentVariants : 0
  const total = splits.train.length * (1 + variants) + splits.val.length + splits.test.length
  let before = 0
  const progress = (label: string) => (p: { done: number; fromCache: number }) =>
    emit({
      type: 'phase',
      text: `Computing backbone embeddings (${label}; ${p.fromCache} from cache)`,
      progress: (before + p.done) / total
    })
  const run = async (items: JobItem[], label: string, variant = 0) => {
    const r = await extractor.extract(
      items.map((i) => ({ path: i.path, frame: i.frame })),
      {
        signal,
        variant,
        onProgress: progress(label),
        augment:
          variant === 0
            ? undefined
            : (input, item) =>
                augmentOne(input, spec.inputSize, config, deriveSeed(config.seed, 'embed-aug', variant, item.path))
      }
    )
    before += items.length
    return r.data
  }
  const trainRows: Float32Array[] = [await run(splits.train, 'train')]
  for (let v = 1; v <= variants; v++) trainRows.push(await run(splits.train, `train, augmented variant ${v}`, v))
  const valRows = await run(splits.val, 'val')
  const testRows = splits.test.length ? await run(splits.test, 'test') : null
  const dim = info.featureDim
  const rows = new Float32Array(trainRows.reduce((n, r) => n + r.length, 0))
  let at = 0
  for (const r of trainRows) {
    rows.set(r, at)
    at += r.length
  }
  const trainLabels = new Int32Array(splits.train.length * (1 + variants))
  for (let v = 0; v <= variants; v++) trainLabels.set(labelsOf(splits.train), v * splits.train.length)
  return {
    train: createEmbeddingSource(rows, dim, trainLabels, k, { batchSize: config.batchSize, shuffle: true }),
    val: createEmbeddingSource(valRows, dim, labelsOf(splits.val), k, { batchSize: config.batchSize, shuffle: false }),
    test: testRows
      ? createEmbeddingSource(testRows, dim, labelsOf(splits.test), k, { batchSize: config.batchSize, shuffle: false })
      : null
  }
}

async function embedSplit(
  extractor: EmbeddingExtractor,
  items: JobItem[],
  k: number,
  batchSize: number,
  signal: AbortSignal
): Promise<BatchSource> {
  const r = await extractor.extract(
    items.map((i) => ({ path: i.path, frame: i.frame })),
    { signal }
  )
  return createEmbeddingSource(r.data, r.dim, labelsOf(items), k, { batchSize, shuffle: false })
}

/** One augmented variant of a preprocessed HWC image, seeded per image and variant. */
function augmentOne(input: Float32Array, size: number, config: TrainingJob['config'], seed: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(input, [1, size, size, 3])
    return augmentBatch(x, config.augmentation, mulberry32(seed)).dataSync() as Float32Array
  })
}

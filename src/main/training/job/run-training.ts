import fs from 'node:fs'
import path from 'node:path'
import type * as tf from '@tensorflow/tfjs'
import type { BackboneInfo, Evaluation, ModelSaliency } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import { EmbeddingCache } from '../backbone/embedding-cache'
import { EmbeddingExtractor } from '../backbone/embedding-extractor'
import type { LoadedBackbone } from '../backbone/types'
import { composeModel, type ComposedModel } from '../head/compose-model'
import type { BatchSource } from '../loop/batch-source'
import { predictSource } from '../loop/evaluate-source'
import { headTarget, imageTarget } from '../loop/target'
import { exportWeights, importWeights } from '../loop/weights'
import { embeddingSources, embedSplit, type Splits } from './embedding-sources'
import { toEvaluation } from './evaluation'
import { imageSource } from './image-source'
import type { EngineRunEvent, TrainingJob, TrainingJobResult } from './job'
import { keepBestAfterCancel } from './keep-best'
import { predictImages } from './predict-images'
import { exportOnnxBeside } from '../../onnx/model-onnx-file'
import { MODEL_CARD, saveModelArtifact, type ModelOrigin, type StageBackends } from './model-artifact'
import { buildModelCard } from './model-card'
import { loadRunModels } from './run-models'
import { runStageWithEvents } from './stage-events'
import { stage2Engine } from './stage2-engine'
import { readWeightsFile, writeWeightsFile } from './weights-file'
import { evaluationSplit, splitItems, stageContext, trainHeadOnEmbeddings } from './run-setup'
import { runEncoderTraining } from './run-encoder-training'
import { writeSaliencyBaseline } from './saliency-baseline'
import type { PreprocessSpec } from '../preprocess/spec'

type Emit = (e: EngineRunEvent) => void

/**
 * Trains one run end to end inside an engine process: backbone → stage 1 (head on cached embeddings, or
 * end to end on a native backend) → stage 2 (top base layers unfrozen; ONNX Runtime where it loads, see
 * stage2-engine.ts) → evaluation on the test split → model folder with neuropath.json. Emits progress
 * events (stage-events.ts); honours `signal` between batches; writes a resume point after every epoch so a
 * crash or cancel loses at most one epoch. A cancelled run keeps its latest best checkpoint.
 */
export async function runTraining(job: TrainingJob, emit: Emit, signal: AbortSignal): Promise<TrainingJobResult> {
  if (job.config.backbone.kind === 'onnx-encoder') return runEncoderTraining(job, emit, signal)
  const { config, classNames } = job
  const k = classNames.length
  if (k < 2) throw new AppError('INVALID_ARGUMENT', `training needs at least 2 classes, the dataset version has ${k}`)
  const splits = splitItems(job)
  const backend = await selectBackend()
  fs.mkdirSync(path.join(job.modelDir, 'checkpoints'), { recursive: true })
  emit({ type: 'phase', text: `Loading the ${config.backbone.kind} backbone`, progress: null })

  const { backbone, spec, head } = await loadRunModels(config, k)
  const backboneInfo: BackboneInfo = { ...backbone.source, inputScaling: spec.scaling }
  emit({ type: 'backbone', backbone: backboneInfo, backend: backend.active })
  emit({ type: 'log', line: `backbone: ${backbone.source.description}` })
  emit({ type: 'log', line: `backend: ${backend.active} (${backend.devices.join('; ')})` })

  const ctx = stageContext(job, splits, emit, signal)
  const progress = ctx.progress
  const augment = config.augmentation.enabled ? { ...config.augmentation } : undefined
  let composed: ComposedModel | null = null
  const composedModel = (): ComposedModel =>
    (composed ??= composeModel(backbone.model, head, { name: 'neuropath_classifier' }))
  const images = (items: Splits['train'], shuffle: boolean): BatchSource =>
    imageSource(items, k, spec, { batchSize: config.batchSize, shuffle })

  const native = backend.tfActive === 'node' || backend.tfActive === 'node-gpu'
  const stage1Mode = config.stage1.mode === 'auto' ? (native ? 'end-to-end' : 'embeddings') : config.stage1.mode
  const stageBackends: StageBackends = { stage1: null, stage2: null }
  let extractor: EmbeddingExtractor | null = null
  let stopped = false
  let running: 1 | 2 | null = null
  let beforeStage2: ReturnType<typeof exportWeights> | null = null

  let testEmbeddings: BatchSource | null = null
  try {
    // ---- Stage 1: the head, base frozen.
    const stage1Done = path.join(job.modelDir, 'resume', 'stage1-done')
    if (config.stage1.enabled && config.stage1.epochs > 0) {
      running = 1
      if (job.resume && fs.existsSync(path.join(stage1Done, 'head.json'))) {
        importWeights(head.weights, readWeightsFile(stage1Done, 'head'), 'stage 1 head')
        emit({ type: 'log', line: 'stage 1 finished before the interruption; continuing with stage 2' })
        progress.lastStage = 1
      } else if (stage1Mode === 'embeddings') {
        extractor = new EmbeddingExtractor({
          backbone,
          preprocess: spec,
          cache: new EmbeddingCache(path.join(job.cacheDir, 'embeddings'))
        })
        const sources = await embeddingSources(extractor, splits, k, config, spec, emit, signal)
        testEmbeddings = sources.test
        await trainHeadOnEmbeddings(ctx, head, sources, backend.tfActive, stageBackends)
      } else {
        stageBackends.stage1 = backend.tfActive
        await runStageWithEvents(ctx, {
          stage: 1,
          target: imageTarget(composedModel(), { trainableTopLayers: 0 }),
          train: images(splits.train, true),
          val: images(splits.val, false),
          epochs: config.stage1.epochs,
          learningRate: config.stage1.learningRate,
          augment
        })
      }
      fs.mkdirSync(stage1Done, { recursive: true })
      writeWeightsFile(stage1Done, 'head', exportWeights(head.weights))
    }

    // ---- Stage 2: the top of the base unfrozen, BN kept in inference mode.
    if (config.stage2.enabled && config.stage2.epochs > 0) {
      running = 2
      // Copies: the variables' arrays change as training writes back.
      beforeStage2 = exportWeights(composedModel().model.weights).map((w) => ({
        ...w,
        values: Float32Array.from(w.values)
      }))
      const engine = await stage2Engine(composedModel(), config, backend, emit)
      stageBackends.stage2 = engine.backend
      await runStageWithEvents(ctx, {
        stage: 2,
        target: engine.target,
        train: images(splits.train, true),
        val: images(splits.val, false),
        epochs: config.stage2.epochs,
        learningRate: config.stage2.learningRate,
        augment,
        // Stage 1 ended with exact head-BN statistics; re-estimating them every stage-2 epoch would run the
        // whole training set through the backbone twice more per epoch. Keras' moving averages continue.
        recalibrateBatchNorm: false
      })
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'CANCELLED') stopped = true
    else throw err
  }

  // ---- Evaluation and the model folder (also after a cancel: the user keeps what was learned).
  let origin: ModelOrigin | null =
    progress.lastStage === null ? null : { stage: progress.lastStage, weights: 'last-epoch' }
  if (stopped) {
    origin = keepBestAfterCancel(composedModel().model, job.modelDir, running === 2 ? beforeStage2 : null) ?? origin
    if (origin) {
      const from =
        origin.weights === 'best-checkpoint' ? `stage ${origin.stage}'s best checkpoint` : `stage ${origin.stage}`
      emit({
        type: 'log',
        line: `cancelled during stage ${running ?? '?'}: the saved model holds the weights of ${from}`
      })
    }
  }
  if (origin === null) {
    if (stopped) throw new AppError('CANCELLED', 'the run was cancelled before its first epoch finished')
    throw new AppError('INVALID_ARGUMENT', 'both stages are disabled or have 0 epochs: nothing to train')
  }
  let evaluation: Evaluation | null = null
  if (!stopped) {
    const { split: evalSplit, items: evalItems } = evaluationSplit(splits, emit)
    const preds =
      progress.lastStage === 1 && extractor
        ? await predictSource(
            headTarget(head),
            evalSplit === 'test' && testEmbeddings
              ? testEmbeddings
              : await embedSplit(extractor, evalItems, k, config.batchSize, signal),
            signal
          )
        : await predictImages(composedModel(), backend.tfActive, images(evalItems, false), emit, signal)
    evaluation = toEvaluation(evalSplit, preds, evalItems, classNames)
  }
  await extractor?.close()

  emit({ type: 'phase', text: 'Saving the model', progress: null })
  const saliency = stopped ? null : await saliencyBaseline(backbone.model, splits.train, spec, job, emit, signal)
  const card = buildModelCard({
    job,
    config,
    spec,
    backbone: backboneInfo,
    backend: backend.active,
    stageBackends,
    progress,
    origin,
    evaluation,
    featureLayer: backbone.model.outputs[0].sourceLayer.name,
    saliency
  })
  await saveModelArtifact(composedModel().model, path.join(job.modelDir, 'model'), card)
  emit({ type: 'log', line: exportOnnxBeside(path.join(job.modelDir, 'model'), composedModel().model, card) })
  emit({ type: 'log', line: `model saved to ${path.join(job.modelDir, 'model')} (${MODEL_CARD} describes it)` })
  disposeAll(backbone, composed, head)
  return {
    status: stopped ? 'stopped' : 'completed',
    backend: backend.active,
    stageBackends,
    modelOrigin: origin,
    backbone: backboneInfo,
    bestValAccuracy: progress.bestValAccuracy,
    evaluation,
    modelDir: path.join(job.modelDir, 'model')
  }
}

/** The card's saliency baseline, or null (logged) when it cannot be computed: classification keeps Grad-CAM. */
async function saliencyBaseline(
  backbone: tf.LayersModel,
  train: Splits['train'],
  spec: PreprocessSpec,
  job: TrainingJob,
  emit: Emit,
  signal: AbortSignal
): Promise<ModelSaliency | null> {
  try {
    const s = await writeSaliencyBaseline(backbone, train, spec, path.join(job.modelDir, 'model'), signal)
    emit({
      type: 'log',
      line: `saliency: LayerCAM at ${s.layer} (${s.grid[0]} × ${s.grid[1]}) against the mean of ${s.baselineImages} training images`
    })
    return s
  } catch (err) {
    emit({ type: 'log', line: `saliency baseline not computed, maps stay Grad-CAM: ${(err as Error).message}` })
    return null
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

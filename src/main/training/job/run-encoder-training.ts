import fs from 'node:fs'
import path from 'node:path'
import type { BackboneInfo, Evaluation } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import { encoderModelFiles } from '../../backbone-runtime/onnx-encoder/encoder-model-files'
import { onnxExportLine, writeEncoderModelOnnx } from '../../onnx/model-onnx-file'
import type { OnnxEncoderInfo } from '../backbone/encoder-start'
import { buildHead } from '../head/build-head'
import { predictSource } from '../loop/evaluate-source'
import { deriveSeed } from '../loop/random'
import { headTarget } from '../loop/target'
import { exportWeights, importWeights } from '../loop/weights'
import { embeddingSources, embedSplit, type Splits } from './embedding-sources'
import { toEvaluation } from './evaluation'
import type { EngineRunEvent, TrainingJob, TrainingJobResult } from './job'
import { keepBestAfterCancel } from './keep-best'
import { MODEL_CARD, saveModelArtifact, type ModelOrigin, type StageBackends } from './model-artifact'
import { buildModelCard } from './model-card'
import { evaluationSplit, splitItems, stageContext, trainHeadOnEmbeddings } from './run-setup'
import { encoderExtractor } from './run-models'
import { readWeightsFile, writeWeightsFile } from './weights-file'

type Emit = (e: EngineRunEvent) => void

/** The card's backbone entry for an encoder (its provenance: file name, SHA-256, declaration in words). */
export function encoderBackboneInfo(info: OnnxEncoderInfo): BackboneInfo {
  return {
    kind: 'onnx-encoder',
    description: info.description,
    path: info.path,
    inputScaling: '[0,1]',
    sha256: info.sha256
  }
}

/**
 * Trains a run whose backbone is an imported ONNX encoder (`job.encoderPath`, models/backbones/<sha256>/…):
 * stage 1 only, the head on the encoder's cached embeddings (keyed by its SHA-256 and declaration); config
 * validation has already refused stage 2. The model folder holds the head (model.json), the encoder
 * (encoder/<file>, a hard link to the workspace copy where the file system allows, else a copy, so the
 * folder classifies on another machine), neuropath.json naming the encoder, and model.onnx = encoder +
 * preprocessing + pooling + head in one graph. Same events, resume points and cancel behaviour as runTraining.
 */
export async function runEncoderTraining(
  job: TrainingJob,
  emit: Emit,
  signal: AbortSignal
): Promise<TrainingJobResult> {
  const { config, classNames } = job
  const k = classNames.length
  if (k < 2) throw new AppError('INVALID_ARGUMENT', `training needs at least 2 classes, the dataset version has ${k}`)
  if (config.stage2.enabled && config.stage2.epochs > 0)
    throw new AppError('INVALID_ARGUMENT', 'stage 2 does not run on an ONNX encoder; turn it off')
  if (!config.stage1.enabled || config.stage1.epochs === 0)
    throw new AppError('INVALID_ARGUMENT', 'stage 1 is off: on an ONNX encoder it is the only stage, so nothing trains')
  const splits: Splits = splitItems(job)
  const backend = await selectBackend()
  fs.mkdirSync(path.join(job.modelDir, 'checkpoints'), { recursive: true })
  const extractor = encoderExtractor(config, job.encoderPath, job.cacheDir)
  emit({ type: 'phase', text: `Loading the ONNX encoder ${path.basename(job.encoderPath ?? '')}`, progress: null })
  // The declaration is resolved against the graph here: a mismatch fails before any image is read.
  const info = await extractor.start()
  const source = info.source as OnnxEncoderInfo
  const backboneInfo = encoderBackboneInfo(source)
  emit({ type: 'backbone', backbone: backboneInfo, backend: backend.active })
  emit({ type: 'log', line: `backbone: ${source.description}` })
  if (config.stage1.mode === 'end-to-end')
    emit({ type: 'log', line: 'stage 1 trains on cached embeddings: a frozen ONNX encoder has no end-to-end mode' })
  if (info.preprocess.inputSize !== config.inputSize) {
    await extractor.close()
    throw new AppError(
      'INVALID_ARGUMENT',
      `the encoder takes ${info.preprocess.inputSize} px inputs but the configuration says ${config.inputSize} px`
    )
  }

  const head = buildHead({ numClasses: k, ...config.head, seed: deriveSeed(config.seed, 'head-init') }, info.featureDim)
  const ctx = stageContext(job, splits, emit, signal)
  const progress = ctx.progress
  const stageBackends: StageBackends = { stage1: null, stage2: null }
  let stopped = false
  let testEmbeddings: Awaited<ReturnType<typeof embeddingSources>>['test'] = null
  try {
    const stage1Done = path.join(job.modelDir, 'resume', 'stage1-done')
    if (job.resume && fs.existsSync(path.join(stage1Done, 'head.json'))) {
      importWeights(head.weights, readWeightsFile(stage1Done, 'head'), 'stage 1 head')
      progress.lastStage = 1
    } else {
      const sources = await embeddingSources(extractor, splits, k, config, info.preprocess, emit, signal)
      testEmbeddings = sources.test
      await trainHeadOnEmbeddings(ctx, head, sources, backend.tfActive, stageBackends)
      fs.mkdirSync(stage1Done, { recursive: true })
      writeWeightsFile(stage1Done, 'head', exportWeights(head.weights))
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'CANCELLED') stopped = true
    else {
      await extractor.close()
      head.dispose()
      throw err
    }
  }

  let origin: ModelOrigin | null = progress.lastStage === null ? null : { stage: 1, weights: 'last-epoch' }
  if (stopped) origin = keepBestAfterCancel(head, job.modelDir, null) ?? origin
  if (origin === null) {
    await extractor.close()
    head.dispose()
    throw new AppError('CANCELLED', 'the run was cancelled before its first epoch finished')
  }
  let evaluation: Evaluation | null = null
  if (!stopped) {
    const { split: evalSplit, items: evalItems } = evaluationSplit(splits, emit)
    const source =
      evalSplit === 'test' && testEmbeddings
        ? testEmbeddings
        : await embedSplit(extractor, evalItems, k, config.batchSize, signal)
    evaluation = toEvaluation(evalSplit, await predictSource(headTarget(head), source, signal), evalItems, classNames)
  }
  await extractor.close()

  emit({ type: 'phase', text: 'Saving the model', progress: null })
  const dir = path.join(job.modelDir, 'model')
  const files = encoderModelFiles(dir, source, info.featureDim)
  emit({ type: 'log', line: files.log })
  emit({
    type: 'log',
    line: 'saliency: none; LayerCAM and Grad-CAM need a known spatial layer, which an ONNX encoder does not declare'
  })
  const card = {
    ...buildModelCard({
      job,
      config,
      spec: info.preprocess,
      backbone: backboneInfo,
      backend: backend.active,
      stageBackends,
      progress,
      origin,
      evaluation,
      featureLayer: '',
      saliency: null
    }),
    encoder: files.encoder
  }
  await saveModelArtifact(head, dir, card)
  emit({ type: 'log', line: onnxExportLine(dir, () => writeEncoderModelOnnx(dir, head, card)) })
  emit({ type: 'log', line: `model saved to ${dir} (${MODEL_CARD} describes it)` })
  head.dispose()
  return {
    status: stopped ? 'stopped' : 'completed',
    backend: backend.active,
    stageBackends,
    modelOrigin: origin,
    backbone: backboneInfo,
    bestValAccuracy: progress.bestValAccuracy,
    evaluation,
    modelDir: dir
  }
}

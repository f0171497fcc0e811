import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { EmbeddingCache } from '../../training/backbone/embedding-cache'
import { EmbeddingExtractor } from '../../training/backbone/embedding-extractor'
import { createOrtHeadTarget } from '../../training/graph/ort-head-target'
import type { Batch, BatchSource } from '../../training/loop/batch-source'
import { balancedClassWeights } from '../../training/loop/class-weights'
import { createEmbeddingSource } from '../../training/loop/embedding-source'
import { deriveSeed } from '../../training/loop/random'
import type { StageTarget } from '../../training/loop/stage-target'
import { headTarget } from '../../training/loop/target'
import { tfjsStageTarget } from '../../training/loop/tfjs-stage-target'
import { loadRunModels } from '../../training/job/run-models'
import { selectBackend } from '../../compute/backend'
import { extractWithProgress } from '../embed-with-progress'
import { exponentialLrs, runLrSweep } from '../lr-sweep'
import type { LrFindEvent, LrFindJob, LrFindJobResult } from './job'

/** At most this many training images feed the sweep: 100 steps of batch 32 see 3,200 samples. */
const MAX_IMAGES = 2048

/** Evenly spaced `max` of `items` (all of them when there are fewer), so every class and folder is drawn from. */
function sample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items]
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)])
}

/** Batches of `source`, epoch after epoch, each epoch shuffled with its own seed. */
async function* endless(source: BatchSource, seed: number): AsyncGenerator<Batch> {
  for (let epoch = 0; ; epoch++) yield* source.batches(deriveSeed(seed, 'lr-find', epoch))
}

/**
 * The stage 1 head (freshly initialised as training would) trained one batch per learning rate, rates growing
 * exponentially from minLr to maxLr, on backbone embeddings of the training images (from the embedding
 * cache where possible; those computed here are cached for the training run). ONNX Runtime trains the head
 * where it loads, tfjs otherwise. Stops early when the loss diverges (lr-sweep.ts). Honours `signal`.
 */
export async function runLrFind(
  job: LrFindJob,
  emit: (e: LrFindEvent) => void,
  signal: AbortSignal
): Promise<LrFindJobResult> {
  const started = performance.now()
  const { config } = job
  const k = job.classNames.length
  const items = sample(job.items, MAX_IMAGES)
  const backend = await selectBackend()
  emit({ type: 'phase', text: `Loading the ${config.backbone.kind} backbone`, progress: null })
  const { backbone, spec, head } = await loadRunModels(config, k)
  const extractor = new EmbeddingExtractor({
    backbone,
    preprocess: spec,
    cache: new EmbeddingCache(path.join(job.cacheDir, 'embeddings'))
  })
  let target: StageTarget | null = null
  try {
    const emb = await extractWithProgress(
      extractor,
      items.map((i) => ({ path: i.path, frame: i.frame, plane: i.plane })),
      emit,
      signal
    )
    const labels = Int32Array.from(items.map((i) => i.label))
    const source = createEmbeddingSource(emb.data, emb.dim, labels, k, { batchSize: config.batchSize, shuffle: true })
    let trainedOn = 'ort'
    try {
      target = await createOrtHeadTarget(head)
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
      target = tfjsStageTarget(headTarget(head))
      trainedOn = backend.tfActive
    }
    const lrs = exponentialLrs(job.minLr, job.maxLr, job.steps)
    const weights = config.classWeights === 'balanced' ? Float32Array.from(balancedClassWeights(labels, k)) : null
    target.begin(lrs[0])
    const batches = endless(source, config.seed)
    const t = target
    emit({ type: 'phase', text: `Sweeping ${lrs.length} learning rates on the head`, progress: 0 })
    const sweep = await runLrSweep(async (lr, index) => {
      if (signal.aborted) throw new AppError('CANCELLED', 'the learning-rate sweep was cancelled')
      const b = (await batches.next()).value as Batch
      t.lr = lr
      try {
        const { loss } = await t.trainBatch(b, deriveSeed(config.seed, 'lr-find-step', index), weights)
        emit({ type: 'step', index, lr, loss })
        return loss
      } finally {
        b.x.dispose()
        b.y.dispose()
      }
    }, lrs)
    await batches.return(undefined)
    return {
      ...sweep,
      images: items.length,
      batchSize: config.batchSize,
      backend: trainedOn,
      backbone: backbone.source.description,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    await target?.end()
    await extractor.close()
    backbone.model.dispose()
    head.dispose()
  }
}

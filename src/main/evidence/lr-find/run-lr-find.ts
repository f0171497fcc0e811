import { AppError } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import type { Batch, BatchSource } from '../../training/loop/batch-source'
import { balancedClassWeights } from '../../training/loop/class-weights'
import { deriveSeed } from '../../training/loop/random'
import { loadRunModels } from '../../training/job/run-models'
import { exponentialLrs, runLrSweep } from '../lr-sweep'
import type { LrFindEvent, LrFindJob, LrFindJobResult } from './job'
import { stage1SweepTarget, stage2SweepTarget, type SweepTarget } from './sweep-targets'

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
 * One training step per learning rate, rates growing exponentially from minLr to maxLr, on the stage the job
 * names (sweep-targets.ts: stage 1's fresh head on embeddings, or stage 2's top layers + head on images from a
 * run's stage 1 head), through the same StageTarget a run's stage trains with. Stops early when the loss
 * diverges (lr-sweep.ts). Honours `signal` before every step.
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
  const models = await loadRunModels(config, k)
  const backbone = models.backbone.source.description
  const sweepTarget: SweepTarget =
    job.stage === 1
      ? await stage1SweepTarget(job, items, models, backend, emit, signal)
      : await stage2SweepTarget(job, items, models, backend, emit)
  try {
    const { target } = sweepTarget
    const lrs = exponentialLrs(job.minLr, job.maxLr, job.steps)
    const labels = Int32Array.from(items.map((i) => i.label))
    const weights = config.classWeights === 'balanced' ? Float32Array.from(balancedClassWeights(labels, k)) : null
    target.begin(lrs[0])
    const batches = endless(sweepTarget.source, config.seed)
    emit({ type: 'phase', text: `Sweeping ${lrs.length} learning rates on the ${sweepTarget.trained}`, progress: 0 })
    const sweep = await runLrSweep(async (lr, index) => {
      if (signal.aborted) throw new AppError('CANCELLED', 'the learning-rate sweep was cancelled')
      const b = (await batches.next()).value as Batch
      target.lr = lr
      try {
        const { loss } = await target.trainBatch(b, deriveSeed(config.seed, 'lr-find-step', index), weights)
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
      backend: sweepTarget.backend,
      backbone,
      trained: sweepTarget.trained,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    await sweepTarget.close()
  }
}

import type * as tf from '@tensorflow/tfjs'
import type { BackendInfo } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { LoadedBackbone } from '../../training/backbone/types'
import { createOrtHeadTarget } from '../../training/graph/ort-head-target'
import { composeModel } from '../../training/head/compose-model'
import { imageSource } from '../../training/job/image-source'
import { stage2Engine } from '../../training/job/stage2-engine'
import { readWeightsFile } from '../../training/job/weights-file'
import type { BatchSource } from '../../training/loop/batch-source'
import { createEmbeddingSource } from '../../training/loop/embedding-source'
import type { StageTarget } from '../../training/loop/stage-target'
import { headTarget } from '../../training/loop/target'
import { tfjsStageTarget } from '../../training/loop/tfjs-stage-target'
import { isStageTarget } from '../../training/loop/train-stage'
import { importWeights } from '../../training/loop/weights'
import type { PreprocessSpec } from '../../training/preprocess/spec'
import { cachedExtractor, extractWithProgress } from '../embed-with-progress'
import type { LrFindEvent, LrFindJob } from './job'

/** What a sweep steps: the trainer, its batches, and what to free afterwards. */
export interface SweepTarget {
  target: StageTarget
  source: BatchSource
  /** 'ort' or the tfjs backend that trains. */
  backend: string
  /** What trains, e.g. 'head' or 'top 30 backbone layers + head'. */
  trained: string
  /** Ends the trainer and frees the models (the target's end() runs first). */
  close(): Promise<void>
}

interface Models {
  backbone: LoadedBackbone
  spec: PreprocessSpec
  head: tf.LayersModel
}

/**
 * Stage 1, as a run's stage 1 in embeddings mode: the fresh head on backbone embeddings of the items (from the
 * embedding cache where possible; new ones are cached for the run), on ONNX Runtime where it loads, else tfjs.
 */
export async function stage1SweepTarget(
  job: LrFindJob,
  items: LrFindJob['items'],
  { backbone, spec, head }: Models,
  backend: BackendInfo,
  emit: (e: LrFindEvent) => void,
  signal: AbortSignal
): Promise<SweepTarget> {
  const k = job.classNames.length
  const extractor = cachedExtractor(backbone, spec, job.cacheDir)
  const free = async () => {
    await extractor.close()
    backbone.model.dispose()
    head.dispose()
  }
  try {
    const emb = await extractWithProgress(extractor, items, emit, signal)
    const labels = Int32Array.from(items.map((i) => i.label))
    const source = createEmbeddingSource(emb.data, emb.dim, labels, k, {
      batchSize: job.config.batchSize,
      shuffle: true
    })
    let target: StageTarget
    let trainedOn = 'ort'
    try {
      target = await createOrtHeadTarget(head)
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'UNSUPPORTED') throw err
      target = tfjsStageTarget(headTarget(head))
      trainedOn = backend.tfActive
    }
    return {
      target,
      source,
      backend: trainedOn,
      trained: 'head',
      close: async () => {
        await target.end()
        await free()
      }
    }
  } catch (err) {
    await free()
    throw err
  }
}

/**
 * Stage 2, as a run's stage 2: the run's stage 1 head loaded onto the configuration's backbone, the top
 * `stage2.unfreezeTopLayers` layers unfrozen, trained on the images (decoded per batch, no augmentation: one
 * step per rate) by the same trainer a run's stage 2 gets (stage2-engine.ts: ONNX Runtime where it loads).
 */
export async function stage2SweepTarget(
  job: LrFindJob,
  items: LrFindJob['items'],
  { backbone, spec, head }: Models,
  backend: BackendInfo,
  emit: (e: LrFindEvent) => void
): Promise<SweepTarget> {
  const composed = composeModel(backbone.model, head, { name: 'neuropath_classifier' })
  try {
    if (!job.stage1Head) throw new AppError('INVALID_ARGUMENT', 'a stage 2 sweep needs the stage 1 head of a run')
    importWeights(head.weights, readWeightsFile(job.stage1Head, 'head'), 'the stage 1 head of the run')
    const engine = await stage2Engine(composed, job.config, backend, (e) => {
      if (e.type === 'log') emit({ type: 'phase', text: e.line, progress: null })
    })
    const target = isStageTarget(engine.target) ? engine.target : tfjsStageTarget(engine.target)
    return {
      target,
      source: imageSource(items, job.classNames.length, spec, { batchSize: job.config.batchSize, shuffle: true }),
      backend: engine.backend,
      trained: `top ${job.config.stage2.unfreezeTopLayers} backbone layers + head`,
      close: async () => {
        await target.end()
        // The composed model shares its layers with backbone and head: one dispose frees both.
        composed.model.dispose()
      }
    }
  } catch (err) {
    composed.model.dispose()
    throw err
  }
}

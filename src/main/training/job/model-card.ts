import type { BackboneInfo, Evaluation, ModelSaliency, TrainingConfig } from '../../../shared/contract'
import type { PreprocessSpec } from '../preprocess/spec'
import type { ModelCard, ModelOrigin, StageBackends } from './model-artifact'
import type { RunProgress } from './stage-events'
import type { TrainingJob } from './job'

/** What the model card records about one run. */
export interface ModelCardInput {
  job: Pick<TrainingJob, 'classNames' | 'dataset'>
  config: TrainingConfig
  spec: PreprocessSpec
  backbone: BackboneInfo
  /** The tfjs backend the run selected (kept as `training.backend` for older readers). */
  backend: string
  stageBackends: StageBackends
  progress: RunProgress
  origin: ModelOrigin
  evaluation: Evaluation | null
  featureLayer: string
  /** The saliency baseline written beside the model (saliency-baseline.ts); null when it could not be. */
  saliency?: ModelSaliency | null
}

/** Builds neuropath.json for a run's model folder (see ModelCard for what each field means). */
export function buildModelCard(i: ModelCardInput): ModelCard {
  const e = i.evaluation
  return {
    format: 'neuropath-model',
    version: 1,
    classNames: i.job.classNames,
    preprocessing: i.spec,
    inputSize: i.config.inputSize,
    backbone: i.backbone,
    config: i.config,
    dataset: i.job.dataset,
    training: {
      stage1Epochs: i.progress.epochsDone[1],
      stage2Epochs: i.progress.epochsDone[2],
      backend: i.backend,
      stageBackends: i.stageBackends,
      origin: i.origin,
      finishedAt: new Date().toISOString()
    },
    metrics: {
      bestValAccuracy: i.progress.bestValAccuracy,
      test: e ? { accuracy: e.accuracy, macroF1: e.macroF1, weightedF1: e.weightedF1, ece: e.ece, n: e.n } : null
    },
    featureLayer: i.featureLayer,
    ...(i.saliency ? { saliency: i.saliency } : {})
  }
}

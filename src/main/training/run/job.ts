import type { BackboneInfo, EpochMetrics, Evaluation, RunMark, TrainingConfig } from '../../../shared/contract'

/** One image of a training job, as frozen in the dataset version. */
export interface JobItem {
  itemId: number
  path: string
  /** 0-based frame (multi-frame DICOM trains on its first frame). */
  frame: number
  sha256: string
  /** Index into `classNames`. */
  label: number
  split: 'train' | 'val' | 'test'
}

/**
 * Everything an engine process needs to train one run; the engine never opens the catalog. Sent by the
 * host over the engine channel (structured clone).
 */
export interface TrainingJob {
  kind: 'train'
  runId: number
  config: TrainingConfig
  classNames: string[]
  items: JobItem[]
  /** The run's model folder in the workspace (checkpoints, resume state, final model). */
  modelDir: string
  /** Workspace cache folder for embeddings. */
  cacheDir: string
  /** Continue from the resume state saved in modelDir. */
  resume: boolean
  /** Dataset version, recorded in neuropath.json. */
  dataset: { id: number; name: string; versionId: number; fingerprint: string | null }
}

/** Events the engine emits while training (the host adds runId and stores them). */
export type EngineRunEvent =
  | { type: 'phase'; text: string; progress: number | null }
  | { type: 'backbone'; backbone: BackboneInfo; backend: string }
  | {
      type: 'batch'
      stage: 1 | 2
      epoch: number
      batch: number
      batches: number
      loss: number
      accuracy: number
      imagesPerSecond: number
      etaSeconds: number | null
    }
  | { type: 'epoch'; metrics: EpochMetrics; etaSeconds: number | null }
  | { type: 'mark'; mark: RunMark }
  | { type: 'log'; line: string }
  | { type: 'checkpoint'; stage: 1 | 2; epoch: number; valAccuracy: number | null }

/** What a finished training job returns. */
export interface TrainingJobResult {
  status: 'completed' | 'stopped'
  backend: string
  backbone: BackboneInfo
  bestValAccuracy: number | null
  evaluation: Evaluation | null
  modelDir: string
}

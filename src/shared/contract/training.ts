import { z } from 'zod'
import { Id, Name } from './common'
import { event, rpc } from './define'
import { BackboneChoice, TrainingConfigSchema, type TrainingConfig } from './training-config'

/** Life cycle of a run. `interrupted` = the engine or the app died mid-run; it can be resumed. */
export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted'

/** One epoch's metrics, as stored in the catalog (`run_epochs`). Losses in nats, accuracies in [0, 1]. */
export interface EpochMetrics {
  stage: 1 | 2
  /** 0-based epoch within the stage. */
  epoch: number
  loss: number
  accuracy: number
  valLoss: number | null
  valAccuracy: number | null
  /** Learning rate used during the epoch. */
  lr: number
  seconds: number
}

/** Evaluation on the test split, stored with the run. */
export interface Evaluation {
  split: 'test' | 'val'
  classNames: string[]
  n: number
  accuracy: number
  macroF1: number
  weightedF1: number
  perClass: { name: string; precision: number; recall: number; f1: number; support: number }[]
  /** confusion[true][predicted] counts. */
  confusion: number[][]
  /** One-vs-rest ROC per class: false/true positive rates and AUC. */
  roc: { name: string; auc: number | null; fpr: number[]; tpr: number[] }[]
  /** Expected calibration error over `bins` equal-width confidence bins. */
  ece: number
  /** Equal-width confidence bins; confidence and accuracy are null for empty bins. */
  reliability: { lower: number; upper: number; count: number; confidence: number | null; accuracy: number | null }[]
  /** Mean one-vs-rest AUC over classes with positives and negatives. */
  macroAuc: number | null
  /** Misclassified test images (at most 200), most confident first. */
  misclassified: {
    itemId: number
    path: string
    frame: number
    trueClass: string
    predicted: string
    confidence: number
  }[]
}

/** Backbone provenance stored with every run and model. */
export interface BackboneInfo {
  kind: 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random'
  description: string
  path?: string
  inputScaling: '[-1,1]' | '[0,1]'
  sha256?: string
}

export interface RunSummary {
  id: number
  name: string
  status: RunStatus
  datasetId: number
  datasetName: string
  versionId: number
  /** The version's number within its dataset (v1, v2, …). */
  versionNumber: number
  backbone: string
  backend: string | null
  /** Stage currently or last running. */
  stage: 1 | 2 | null
  bestValAccuracy: number | null
  testAccuracy: number | null
  macroF1: number | null
  /** Wall time spent running, seconds. */
  durationSeconds: number
  startedAt: string | null
  finishedAt: string | null
  createdAt: string
  note: string
  error: string | null
  /** Absolute path of the model folder once a checkpoint exists. */
  modelDir: string | null
}

export interface RunDetail extends RunSummary {
  config: TrainingConfig
  classNames: string[]
  backboneInfo: BackboneInfo | null
  epochs: EpochMetrics[]
  /** Marked events for the curves: stage changes, early stop, LR drops, checkpoints. */
  marks: RunMark[]
  evaluation: Evaluation | null
  log: string[]
}

export interface RunMark {
  kind: 'stage' | 'early-stop' | 'lr-drop' | 'checkpoint' | 'resume'
  stage: 1 | 2
  epoch: number
  text: string
}

/** Live events of a running run. Per batch: loss/accuracy/images per second; per epoch: EpochMetrics. */
export type RunEvent =
  | { runId: number; type: 'status'; status: RunStatus; error?: string }
  | { runId: number; type: 'phase'; text: string; progress: number | null }
  | {
      runId: number
      type: 'batch'
      stage: 1 | 2
      epoch: number
      batch: number
      batches: number
      loss: number
      accuracy: number
      imagesPerSecond: number
      /** Seconds left for the whole run, estimated from measured speed. */
      etaSeconds: number | null
    }
  | { runId: number; type: 'epoch'; metrics: EpochMetrics; etaSeconds: number | null }
  | { runId: number; type: 'mark'; mark: RunMark }
  | { runId: number; type: 'log'; line: string }

export const StartRunRequest = z
  .object({
    datasetId: Id,
    /** Frozen dataset version; a new one is created from the current curation when absent. */
    versionId: Id.optional(),
    name: Name.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({}))
  })
  .strict()

const RunRef = z.object({ runId: Id }).strict()

/**
 * What each backbone kind is, shown by the backbone picker before anything loads. `checkBackbone` returns the
 * description of the weights actually loaded (with their SHA-256).
 */
export const BACKBONE_SOURCES: Record<
  BackboneInfo['kind'],
  { label: string; source: string; inputScaling: BackboneInfo['inputScaling']; needsPath: 'file' | 'folder' | null }
> = {
  nsfwjs: {
    label: 'MobileNetV2 from the nsfwjs package (offline default)',
    source:
      'The MobileNetV2 (α = 1.0) shipped in the nsfwjs npm package: Keras 2.2.4, uint8-quantised weights, ImageNet-initialised and then fine-tuned for NSFW detection by that project. Expects pixels in [0, 1].',
    inputScaling: '[0,1]',
    needsPath: null
  },
  'keras-h5': {
    label: 'Official Keras ImageNet weights (.h5)',
    source:
      'The official Keras MobileNetV2 ImageNet weights file (mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5 or the full one), loaded from a path you give. Expects pixels in [-1, 1].',
    inputScaling: '[-1,1]',
    needsPath: 'file'
  },
  'tfjs-dir': {
    label: 'A tfjs layers-model folder',
    source:
      'A MobileNetV2 saved as a TensorFlow.js layers model (model.json + weight shards) in a folder you give; its neuropath-backbone.json, if present, says how it was made.',
    inputScaling: '[-1,1]',
    needsPath: 'folder'
  },
  random: {
    label: 'Random initialisation (no pretrained weights)',
    source:
      'MobileNetV2 (α = 1.0) with randomly initialised weights: for tests and ablations only; it learns little from small datasets.',
    inputScaling: '[-1,1]',
    needsPath: null
  }
}

/** A backbone loaded and checked in an engine process. */
export interface BackboneCheck {
  /** Provenance of the weights actually loaded (description, path, scaling, SHA-256). */
  source: BackboneInfo
  /** Embedding width after global average pooling (1280 for MobileNetV2 α = 1). */
  featureDim: number
  /** Layers in the backbone. */
  layers: number
  /** Weights in the backbone (parameters). */
  parameters: number
  /** Time to load it, seconds. */
  loadSeconds: number
  /** Backend of the engine process that loaded it. */
  backend: string
}

/** One part of a training estimate. */
export interface StageEstimate {
  part: 'setup' | 'embeddings' | 'stage1' | 'stage2' | 'evaluation'
  label: string
  seconds: number
  /** The tfjs backend this part runs on. */
  backend: string
  /** Epochs counted (the configured maximum; early stopping may end sooner), null for one-pass parts. */
  epochs: number | null
  /** The measured rate the estimate uses, e.g. '36.2 img/s backbone embedding (2 workers)'. */
  basis: string
}

/** Speeds measured on this machine (cached in the catalog settings per backend and input size). */
export interface Calibration {
  backend: string
  inputSize: number
  /** Backbone embedding with the worker pool stage 1 uses, images/s (decode and preprocessing included). */
  embedImagesPerSecond: number
  /** Workers that measurement used (0 = in the engine thread). */
  embedWorkers: number
  /** Backbone forward pass in the engine thread, images/s (end-to-end stage 1, evaluation). */
  forwardImagesPerSecond: number
  /** Head training on embeddings, samples/s, scaled from the measured head to the configured one. */
  headSamplesPerSecond: number
  /** Stage 2 measurement: null when stage 2 is off. */
  stage2: {
    /** The backend stage 2 uses (cpu when the active one is wasm). */
    backend: string
    /** One forward + backward step with the configured top layers unfrozen, images/s. */
    trainImagesPerSecond: number
    /** Forward pass on that backend, images/s (validation). */
    forwardImagesPerSecond: number
  } | null
  /** When the oldest part used was measured (ISO time). */
  measuredAt: string
  /** True when every part came from the cache (no engine process was started). */
  fromCache: boolean
}

/** The estimate shown before launch. */
export interface TrainingEstimate {
  /** Total seconds, all parts. */
  seconds: number
  perStage: StageEstimate[]
  /** The active backend (stage 1). */
  backend: string
  /**
   * False when stage 2 is enabled but would take longer than 12 hours on the backend it would use (on wasm,
   * the cpu backend): it still runs if launched, the UI warns first.
   */
  stage2Feasible: boolean
  /** Plain-language warnings (stage 2 on cpu, epochs are maxima, unknown architectures, …). */
  warnings: string[]
  images: { train: number; val: number; test: number }
  calibration: Calibration
}

/** A report written to the workspace exports folder. */
export interface ExportedReport {
  /** Absolute path of the HTML file written. */
  path: string
  /** Its file name, for a download. */
  fileName: string
  /** The self-contained HTML itself (inline CSS and SVG, no external resources). */
  html: string
  bytes: number
}

export const EstimateRequest = z
  .object({
    datasetId: Id,
    /** A frozen version; absent = the current curation (what a launch would freeze). */
    versionId: Id.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({}))
  })
  .strict()

export const trainingService = {
  /** Validates, freezes the dataset version if needed, queues the run and starts the engine process. */
  startRun: rpc(StartRunRequest).returns<RunSummary>(),
  /** Stops a running run between batches; its best checkpoint is kept (status `stopped`). */
  cancelRun: rpc(RunRef).returns<RunSummary>(),
  /** Continues an interrupted or stopped run from its last checkpoint. */
  resumeRun: rpc(RunRef).returns<RunSummary>(),
  listRuns: rpc(z.object({}).strict()).returns<RunSummary[]>(),
  getRun: rpc(RunRef).returns<RunDetail>(),
  /** Renames a run. */
  renameRun: rpc(z.object({ runId: Id, name: Name }).strict()).returns<RunSummary>(),
  /** Sets a run's free-text note (empty clears it). */
  annotateRun: rpc(
    z.object({ runId: Id, note: z.string().max(10_000, 'must be at most 10000 characters') }).strict()
  ).returns<RunSummary>(),
  /**
   * Deletes a run: its catalog rows (epochs, marks, log) and its model folder in the workspace. Refused
   * (CONFLICT) while it is running or queued.
   */
  deleteRun: rpc(RunRef).returns<{ runId: number; removedFolder: string | null }>(),
  /** Loads a backbone in an engine process and describes it, or fails naming the file and the reason. */
  checkBackbone: rpc(BackboneChoice).returns<BackboneCheck>(),
  /**
   * Estimates the run's time on this machine from measured speeds (an engine process measures embedding,
   * head training and a stage-2 step the first time for a backend and input size; the catalog caches them).
   */
  estimate: rpc(EstimateRequest).returns<TrainingEstimate>(),
  /** Writes a self-contained HTML report (model card, data, config, metrics, plots) to the workspace exports/. */
  exportReport: rpc(RunRef).returns<ExportedReport>(),
  /** Fires for every batch, epoch, stage change, mark and status change of any run. */
  onRunEvent: event<RunEvent>()
}

export {
  BackboneChoice,
  TrainingConfigSchema,
  SEED_RECIPE,
  flattenConfig,
  type TrainingConfig,
  type TrainingConfigInput
} from './training-config'

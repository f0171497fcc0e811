import { z } from 'zod'
import { FsPath, Id, Name } from './common'
import { event, rpc } from './define'
import type { Interval, MetricIntervals } from './evidence'
import { BackboneChoice, TrainingConfigSchema, type TrainingConfig } from './training-config'
import { CheckEncoderRequest, RemoveBackboneRequest, type ImportedEncoder, type OnnxEncoderCheck } from './onnx-encoder'

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
  /** 95 % bootstrap intervals of the metrics above; absent in evaluations stored before they existed. */
  intervals?: MetricIntervals | null
  /**
   * Every evaluated item's probabilities (`itemIds.length × classNames.length`, row-major, class order): what
   * cross-validation pools into out-of-fold predictions. Absent in evaluations stored before it existed.
   */
  predictions?: { itemIds: number[]; probs: number[] }
}

/** Backbone provenance stored with every run and model. */
export interface BackboneInfo {
  kind: 'nsfwjs' | 'keras-h5' | 'tfjs-dir' | 'random'
  description: string
  path?: string
  inputScaling: '[-1,1]' | '[0,1]'
  sha256?: string
}

/**
 * Whether a finished run learned, judged from its epochs and final evaluation when it ends
 * (src/main/training/quality/learning-verdict.ts). Accuracies in [0, 1].
 */
export interface LearningVerdict {
  /**
   * 'did-not-learn': the judged accuracy is within a few points of chance; 'overfit': it is far below training
   * accuracy; 'learned': neither; 'unknown': no validation or test figures to judge.
   */
  kind: 'learned' | 'did-not-learn' | 'overfit' | 'unknown'
  /** The split `accuracy` was measured on (the final evaluation's split, else validation). */
  split: 'test' | 'val' | null
  accuracy: number | null
  /** Accuracy of always guessing: max(1/K, the majority class's share of that split). */
  chance: number
  /** Training accuracy of the saved (best-validation) epoch, measured with augmentation and dropout on. */
  trainAccuracy: number | null
  /** One line for tables and the CLI, e.g. 'did not learn: validation accuracy 33.3 % is within … of chance'. */
  summary: string
  /** The likely cause and what to try, in words; '' when the run learned. */
  cause: string
}

/** True for a verdict that must be shown as a warning and confirmed before the model is used. */
export const isFlaggedVerdict = (v: LearningVerdict | null | undefined): boolean =>
  v?.kind === 'did-not-learn' || v?.kind === 'overfit'

/** The split's name as shown next to a figure. */
export const splitLabel = (split: 'train' | 'val' | 'test'): string =>
  split === 'val' ? 'validation' : split === 'test' ? 'test' : 'training'

/**
 * The engine each stage of a run trained on, as it actually ran: 'ort' (ONNX Runtime), or a tfjs backend
 * name ('node-gpu', 'node', 'wasm', 'cpu'). For stage 1 on cached embeddings it names the head trainer (the
 * embeddings' engine is in the run log). Null for a stage that did not run.
 */
export interface StageBackends {
  stage1: string | null
  stage2: string | null
}

/**
 * Which weights a model folder holds: the stage they come from and whether they are that stage's best
 * checkpoint (by val_accuracy; what a cancelled run keeps) or its last epoch (a completed run; early
 * stopping may have restored its best-val_loss weights).
 */
export interface ModelOrigin {
  stage: 1 | 2
  weights: 'best-checkpoint' | 'last-epoch'
}

const ENGINE_NAMES: Record<string, string> = {
  ort: 'ONNX Runtime',
  'node-gpu': 'tfjs-node-gpu',
  node: 'tfjs-node',
  wasm: 'tfjs wasm',
  cpu: 'tfjs cpu'
}

/** A backend id as words ('ort' → 'ONNX Runtime'); unknown ids unchanged. */
export const engineLabel = (backend: string): string => ENGINE_NAMES[backend] ?? backend

/**
 * Which engine ran each stage, e.g. 'stage 1 ONNX Runtime · stage 2 tfjs cpu' (short: 'ort · cpu'), leaving
 * out stages that did not run; null when the run has no per-stage record (callers then show `backend`).
 */
export function stageBackendsLabel(sb: StageBackends | null | undefined, short = false): string | null {
  if (!sb) return null
  const parts = ([1, 2] as const).flatMap((s) => {
    const b = s === 1 ? sb.stage1 : sb.stage2
    return b === null ? [] : [short ? b : `stage ${s} ${engineLabel(b)}`]
  })
  return parts.length > 0 ? parts.join(' · ') : null
}

/** Where the saved weights come from, in words: 'stage 2, last epoch' or "stage 1's best checkpoint". */
export const modelOriginLabel = (o: ModelOrigin): string =>
  o.weights === 'best-checkpoint' ? `stage ${o.stage}'s best checkpoint` : `stage ${o.stage}, last epoch`

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
  /** The tfjs backend the engine process selected (the whole run's engine before per-stage backends existed). */
  backend: string | null
  /**
   * The engine each stage trained on, recorded when the run ends (catalog migration 008); null for runs that
   * have not ended or ended before it was recorded (then only `backend` is known).
   */
  stageBackends?: StageBackends | null
  /** Where the saved model's weights come from, recorded when the run ends; null as for stageBackends. */
  modelOrigin?: ModelOrigin | null
  /** Stage currently or last running. */
  stage: 1 | 2 | null
  /** Best epoch accuracy on the validation split. */
  bestValAccuracy: number | null
  /**
   * The split the final evaluation (evaluationAccuracy, macroF1) was measured on: 'test', or 'val' when the
   * version has no test split (then the figures are optimistic). Null before an evaluation exists.
   */
  evaluationSplit: 'test' | 'val' | null
  /** Accuracy of the saved model on `evaluationSplit`. */
  evaluationAccuracy: number | null
  /** Macro-averaged F1 on `evaluationSplit`. */
  macroF1: number | null
  /** 95 % bootstrap intervals of evaluationAccuracy and macroF1; null when the evaluation has none. */
  evaluationIntervals?: { accuracy: Interval; macroF1: Interval } | null
  /** Did the run learn? Null until the run has ended. */
  verdict: LearningVerdict | null
  /**
   * Wall-clock seconds the run spent running, summed over its start and every resume (engine start, embedding,
   * both stages, evaluation and saving); for a running run, up to now.
   */
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
  | {
      runId: number
      type: 'status'
      status: RunStatus
      error?: string
      /** With a final status: whether the run learned (absent while running or when it has no epochs). */
      verdict?: LearningVerdict
    }
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
      /** Seconds left in the running stage (its remaining epochs and their validation), from measured speed. */
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
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({})),
    /**
     * This run is fold `fold` (0-based) of cross-validation study `studyId`: it trains on the study's
     * version with the fold held out as its test split, instead of the version's own splits.
     */
    fold: z
      .object({ studyId: Id, fold: z.number().int().min(0).max(19) })
      .strict()
      .optional()
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
  /**
   * Where the weights were copied in the workspace (models/backbones/<sha256>/…) for a .h5 file or tfjs folder;
   * runs then use this copy, not the outside path. Null for built-in backbones.
   */
  importedPath: string | null
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

/** A run's model copied out of the workspace by exportModel. */
export interface ExportedModel {
  runId: number
  format: 'onnx' | 'tfjs'
  /** Absolute path written: the .onnx file, or the folder holding model.json, weights.bin and neuropath.json. */
  path: string
  /** Total bytes written. */
  bytes: number
  /** ONNX only: how to feed it (input "image" NHWC float32 [batch, s, s, 3]) and the exact preprocessing in words. */
  preprocessing: string | null
}

export const ExportModelRequest = z
  .object({
    runId: Id,
    /** 'onnx': model.onnx (image in, class probabilities out); 'tfjs': the tfjs layers-model folder with its card. */
    format: z.enum(['onnx', 'tfjs']),
    /** Where to write (must not exist); absent = the workspace exports/ folder. */
    dest: FsPath.optional()
  })
  .strict()

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
  /**
   * Loads a backbone in an engine process and describes it, or fails naming the file and the reason. A .h5 file or
   * tfjs folder that loads is copied into the workspace (`importedPath`), and runs should use that copy.
   */
  checkBackbone: rpc(BackboneChoice).returns<BackboneCheck>(),
  /**
   * "Your own backbone": loads an ONNX encoder in an engine process, resolves its declaration against the graph,
   * runs two generated images through it and reports shapes, embedding width, img/s, SHA-256, size and whether
   * the output is degenerate. A usable encoder is copied into models/backbones/<sha256>/ with its declaration.
   */
  checkEncoder: rpc(CheckEncoderRequest).returns<OnnxEncoderCheck>(),
  /** The ONNX encoders imported into this workspace. */
  listEncoders: rpc(z.object({}).strict()).returns<ImportedEncoder[]>(),
  /** Deletes an imported backbone's folder (models/backbones/<sha256>/); runs trained on it keep their record. */
  removeBackbone: rpc(RemoveBackboneRequest).returns<{ sha256: string }>(),
  /**
   * Estimates the run's time on this machine from measured speeds (an engine process measures embedding,
   * head training and a stage-2 step the first time for a backend and input size; the catalog caches them).
   */
  estimate: rpc(EstimateRequest).returns<TrainingEstimate>(),
  /** Writes a self-contained HTML report (model card, data, config, metrics, plots) to the workspace exports/. */
  exportReport: rpc(RunRef).returns<ExportedReport>(),
  /**
   * Copies a finished run's model out as ONNX (model.onnx, built in an engine process from the saved tfjs
   * weights when the run predates it) or as the tfjs folder. Never overwrites (CONFLICT).
   */
  exportModel: rpc(ExportModelRequest).returns<ExportedModel>(),
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

import { z } from 'zod'
import { Id, Name } from './common'
import { event, rpc } from './define'
import { BackboneChoice } from './training-config'
import { CheckEncoderRequest, RemoveBackboneRequest, type ImportedEncoder, type OnnxEncoderCheck } from './onnx-encoder'
import type { BackboneCheck } from './training/backbones'
import { EstimateRequest, type TrainingEstimate } from './training/estimate'
import { ExportModelRequest, type ExportedModel, type ExportedReport } from './training/export'
import { StartRunRequest, type RunDetail, type RunEvent, type RunSummary } from './training/runs'

/**
 * Training (runs, backbones, estimates, exports). The service is declared here; its types live in one file per
 * concern under ./training/ and are re-exported from here, so importers of './training' need no change.
 */

export * from './training/runs'
export * from './training/evaluation'
export * from './training/verdict'
export * from './training/engines'
export * from './training/backbones'
export * from './training/estimate'
export * from './training/export'

const RunRef = z.object({ runId: Id }).strict()

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

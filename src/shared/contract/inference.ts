import { z } from 'zod'
import { FsPath, Id } from './common'
import { event, rpc } from './define'
import type { InferenceExport } from './inference/export'
import {
  LowConfidenceThreshold,
  StartInferenceRequest,
  type InferenceEvent,
  type InferenceJobDetail,
  type InferenceJobSummary
} from './inference/jobs'
import type { InferenceModelInfo } from './inference/model'
import type { SaliencyMap } from './inference/saliency'

/**
 * Batch inference (#7): classify every image and DICOM frame of a patient folder with a trained model,
 * offline, in an engine process; keep the job in the catalog; aggregate per series, study and patient;
 * Grad-CAM saliency per image and class; CSV/JSON export with optional de-identification.
 * The service is declared here; its types live in one file per concern under ./inference/ and are re-exported from here.
 */

export * from './inference/jobs'
export * from './inference/model'
export * from './inference/predictions'
export * from './inference/saliency'
export * from './inference/export'

const JobRef = z.object({ jobId: Id }).strict()

export const inferenceService = {
  /** Models of this workspace's runs that have a loadable model card, newest first. */
  listModels: rpc(z.object({}).strict()).returns<InferenceModelInfo[]>(),
  /** Reads and checks the model card of a model folder. */
  describeModel: rpc(z.object({ modelDir: FsPath }).strict()).returns<InferenceModelInfo>(),
  /** Records the job and starts it in an engine process; progress arrives as onJobEvent. */
  startJob: rpc(StartInferenceRequest).returns<InferenceJobSummary>(),
  /** Stops a running job between batches; what was classified so far is kept (status `cancelled`). */
  cancelJob: rpc(JobRef).returns<InferenceJobSummary>(),
  listJobs: rpc(z.object({}).strict()).returns<InferenceJobSummary[]>(),
  /** A job with its predictions, aggregates and failures; `lowConfidenceThreshold` re-flags without re-running. */
  getJob: rpc(
    z.object({ jobId: Id, lowConfidenceThreshold: LowConfidenceThreshold.optional() }).strict()
  ).returns<InferenceJobDetail>(),
  /** Deletes a finished job and its results from the catalog (the images are never touched). */
  deleteJob: rpc(JobRef).returns<{ deleted: number }>(),
  /** Grad-CAM of one prediction for its predicted class, or for `classIndex`. */
  getSaliency: rpc(
    z.object({ resultId: Id, classIndex: z.number().int().min(0).max(9999).optional() }).strict()
  ).returns<SaliencyMap>(),
  /**
   * Writes the job's results as CSV (one row per image/frame) or JSON (everything) under exports/ and returns
   * the text. `deidentify` follows the DICOM PS3.15 basic profile for the fields exported: names, birth and
   * study dates and series descriptions go; patient IDs, Study/Series Instance UIDs and file paths become
   * pseudonyms ('patient-1', 'study-1', 'series-1', 'file-1'), the same in CSV and JSON; no path remains.
   */
  exportJob: rpc(
    z
      .object({
        jobId: Id,
        format: z.enum(['csv', 'json']),
        deidentify: z.boolean().default(false),
        lowConfidenceThreshold: LowConfidenceThreshold.optional()
      })
      .strict()
  ).returns<InferenceExport>(),
  /** Fires for progress and status changes of any job. */
  onJobEvent: event<InferenceEvent>()
}

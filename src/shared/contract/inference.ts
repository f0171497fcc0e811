import { z } from 'zod'
import { FsPath, Id, Name } from './common'
import { event, rpc } from './define'
import type { LearningVerdict } from './training'

/**
 * Batch inference (#7): classify every image and DICOM frame of a patient folder with a trained model,
 * offline, in an engine process; keep the job in the catalog; aggregate per series, study and patient;
 * Grad-CAM saliency per image and class; CSV/JSON export with optional de-identification.
 */

/** Life cycle of a classification job. `interrupted` = the app or its engine died while it ran. */
export type InferenceJobStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted'

/** Default top-1 probability below which a prediction is flagged low-confidence. */
export const DEFAULT_LOW_CONFIDENCE = 0.6

/** A trained model a job can use, as read from its model card (neuropath.json). */
export interface InferenceModelInfo {
  /** Absolute path of the model folder (model.json, weights.bin, neuropath.json). */
  modelDir: string
  /** The training run that produced it, when it came from one of this workspace's runs. */
  runId: number | null
  /** The run's name, or the folder name. */
  name: string
  /** classNames[i] is output unit i. */
  classNames: string[]
  /** Height = width of the model input, pixels. */
  inputSize: number
  /** Backbone description from the card. */
  backbone: string
  /** The backbone's last convolutional block output, where Grad-CAM is taken (e.g. 'out_relu'). */
  featureLayer: string
  /**
   * The card's saliency baseline (models trained since issue 13): maps are then LayerCAM against the
   * training-mean feature map at `saliency.layer`; absent = Grad-CAM at featureLayer.
   */
  saliency?: ModelSaliency
  datasetName: string | null
  /**
   * Accuracy recorded at training time and the split it was measured on ('val' when the version had no test
   * split; null for a card from before the split was recorded).
   */
  evaluation: { split: 'test' | 'val' | null; accuracy: number } | null
  /** Whether the training run learned; a flagged model (did not learn / overfit) needs `acceptFlaggedModel`. */
  verdict: LearningVerdict | null
}

/** One job as listed: what ran on what, when, and how far it got. */
export interface InferenceJobSummary {
  id: number
  name: string
  status: InferenceJobStatus
  model: InferenceModelInfo
  /** The patient folder, as the user gave it (symlink-resolved). Never modified. */
  folder: string
  /** Predictions whose top-1 probability is below this are flagged. */
  lowConfidenceThreshold: number
  /** Whether probabilities are averaged over test-time augmentations (each prediction then has an uncertainty). */
  tta: boolean
  /** Images plus DICOM frames found, once the folder was scanned. */
  total: number | null
  classified: number
  /** Files or frames that could not be classified (listed with the reason). */
  failed: number
  backend: string | null
  /** How the backbone ran, e.g. 'workers: wasm, wasm'. */
  engine: string | null
  error: string | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

/** A class with its probability, in [0, 1]. */
export interface ClassProbability {
  className: string
  probability: number
}

/**
 * One image or DICOM frame as read for classification, with the header fields results are grouped and exported
 * by. DICOM fields come from the file: (0010,0020) PatientID, (0010,0010) PatientName (raw PN, '^' separators),
 * (0010,0030) PatientBirthDate (YYYYMMDD), (0020,000D) StudyInstanceUID, (0008,0020) StudyDate (YYYYMMDD),
 * (0020,000E) SeriesInstanceUID, (0020,0011) SeriesNumber, (0008,103E) SeriesDescription,
 * (0020,0013) InstanceNumber, (0008,0060) Modality. They are null for PNG/JPEG and when the file lacks them.
 */
export interface ImageMeta {
  /** Absolute path. */
  path: string
  /** 0-based frame (multi-frame DICOM has one prediction per frame; a NIfTI volume one per axial slice). */
  frame: number
  kind: 'dicom' | 'png' | 'jpeg' | 'nifti'
  /** Image geometry, pixels. */
  width: number
  height: number
  patientId: string | null
  patientName: string | null
  patientBirthDate: string | null
  studyUid: string | null
  studyDate: string | null
  seriesUid: string | null
  seriesNumber: number | null
  seriesDescription: string | null
  instanceNumber: number | null
  /**
   * Position of the slice along its normal, mm: ImagePositionPatient (0020,0032) · (row × column cosines of
   * ImageOrientationPatient (0020,0037)). Null for PNG/JPEG, without those tags, and for frames after the first
   * of a multi-frame file (whose per-frame positions are not read here).
   */
  slicePosition: number | null
  modality: string | null
  /** Group keys: DICOM by (0020,000E)/(0020,000D)/(0010,0020); PNG/JPEG by folder (see GroupAggregate). */
  seriesKey: string
  seriesLabel: string
  studyKey: string
  patientKey: string
}

/** One classified image or DICOM frame: its `ImageMeta` and the model's prediction. */
export interface ImagePrediction extends ImageMeta {
  /** Result row id (for getSaliency). */
  id: number
  predicted: string
  predictedIndex: number
  /** Top-1 probability. */
  confidence: number
  lowConfidence: boolean
  /** The three most probable classes (fewer when the model has fewer), most probable first. */
  top: ClassProbability[]
  /** One probability per class, in the model's classNames order. */
  probabilities: number[]
  /** Whether Grad-CAM maps were stored for this image. */
  hasSaliency: boolean
  /**
   * Test-time augmentation uncertainty: the standard deviation, across the augmentations (identity, left–right
   * mirror, 5 % shifts), of the probability of the predicted class, in probability units (0 = they all agree).
   * Null when the job ran without TTA.
   */
  uncertainty: number | null
}

/**
 * Aggregate of a group of predictions. Levels: 'series' = one DICOM series (0020,000E), or the PNG/JPEG files of
 * one folder; 'study' = (0020,000D), or for PNG/JPEG the first-level subfolder of the job folder (the folder
 * itself for files directly in it); 'patient' = (0010,0020) (PatientName when there is no ID), or for PNG/JPEG
 * the same folder as their study.
 */
export interface GroupAggregate {
  level: 'series' | 'study' | 'patient'
  key: string
  label: string
  /** Patient group this group belongs to (its own key for level 'patient'). */
  patientKey: string
  /** Predictions in the group. */
  count: number
  /** Mean of each class's probability over the group, in classNames order. */
  meanProbabilities: number[]
  /** Most frequent predicted class (ties go to the higher mean probability). */
  majority: string
  majorityIndex: number
  /** Fraction of the group predicted as `majority`, in (0, 1]. */
  agreement: number
  /** argmax of `meanProbabilities`. */
  meanPredicted: string
  /** Predictions in the group flagged low-confidence. */
  lowConfidence: number
}

/** A file (or one frame of it) that could not be classified; the job went on without it. */
export interface FailedInput {
  path: string
  /** The frame, when only one frame failed; null for the whole file. */
  frame: number | null
  /** AppError code: CORRUPT, UNSUPPORTED, IO, NOT_FOUND, ... */
  code: string
  /** Names the file and the reason. */
  message: string
}

/** A job with all its results, as reopened from the catalog. */
export interface InferenceJobDetail extends InferenceJobSummary {
  classNames: string[]
  /** Sorted by patient, series, instance number, path and frame. */
  predictions: ImagePrediction[]
  series: GroupAggregate[]
  studies: GroupAggregate[]
  patients: GroupAggregate[]
  failures: FailedInput[]
  /** Predictions per predicted class, every class present (0 when none). */
  counts: Record<string, number>
}

/**
 * neuropath.json `saliency`: the model folder holds the mean feature map of training images at `layer`
 * (`baselineFile`, grid[0] × grid[1] × channels float32, little-endian, NHWC order), and classification
 * measures saliency against it (inference/gradcam/baseline-cam.ts).
 */
export interface ModelSaliency {
  method: 'layercam-baseline'
  /** Backbone layer the map is taken at, e.g. 'block_13_expand_relu' (14 × 14 at 224 px). */
  layer: string
  /** File name inside the model folder. */
  baselineFile: string
  /** Training images averaged into the baseline. */
  baselineImages: number
  /** [height, width] of the map, cells. */
  grid: [number, number]
  /** Channels of the baseline map. */
  channels: number
}

/**
 * How a stored map was computed. 'gradcam': ReLU(Σ_k α_k A_k) at the last convolutional block (α_k = spatial
 * mean of ∂score/∂A_k). 'layercam-baseline': ReLU(Σ_k ReLU(∂score/∂A_ijk)·(A_ijk − B_ijk)) at a finer
 * layer, B = the training-mean map. The score is the pre-softmax logit in both.
 */
export interface SaliencyMethod {
  kind: 'gradcam' | 'layercam-baseline'
  /** The backbone layer A was taken at. */
  layer: string
}

/**
 * A saliency map for one prediction and class (`method` says which; older models give Grad-CAM on
 * card.featureLayer). Normalised by its maximum; the model input is the whole image stretched to a square,
 * so the grid covers the whole image.
 */
export interface SaliencyMap {
  resultId: number
  path: string
  frame: number
  classIndex: number
  className: string
  /** The model's probability for this class on this image. */
  probability: number
  /** Image geometry, pixels: the map covers exactly this rectangle. */
  width: number
  height: number
  /** The feature-map grid (e.g. 7 × 7 at 224 px). */
  gridWidth: number
  gridHeight: number
  /**
   * gridHeight × gridWidth values in [0, 1], row-major: all that is sent; the viewer upsamples it over the
   * image (see shared/display/upsample.ts).
   */
  grid: Float32Array
  /** Maximum of the map before normalisation (0 = no positive evidence for this class). */
  strength: number
  /** Which method and layer made the map. */
  method: SaliencyMethod
}

/** What an export produced: the file written under the workspace's exports/ folder, and its text. */
export interface InferenceExport {
  path: string
  fileName: string
  format: 'csv' | 'json'
  deidentified: boolean
  rows: number
  content: string
}

/** Live events of a running job. */
export type InferenceEvent =
  | { jobId: number; type: 'status'; status: InferenceJobStatus; error?: string }
  | {
      jobId: number
      type: 'progress'
      phase: string
      /** Images/frames classified or failed so far. */
      done: number
      total: number | null
      failed: number
      /** Measured over the job so far; null before the first batch. */
      imagesPerSecond: number | null
    }

const JobRef = z.object({ jobId: Id }).strict()

const Threshold = z.number().min(0).max(1)

export const StartInferenceRequest = z
  .object({
    /** A training run of this workspace whose model folder to use. */
    runId: Id.optional(),
    /** Or a model folder (holding neuropath.json). */
    modelDir: FsPath.optional(),
    /** The patient folder, scanned recursively; never modified. */
    folder: FsPath,
    name: Name.optional(),
    lowConfidenceThreshold: Threshold.default(DEFAULT_LOW_CONFIDENCE),
    /** Store Grad-CAM maps for every class (cheap next to the backbone); false skips them. */
    saliency: z.boolean().default(true),
    /**
     * Test-time augmentation: classify each image also mirrored left–right and shifted by 5 % in four
     * directions, average the probabilities and store their spread as `uncertainty`. Six backbone passes
     * per image instead of one.
     */
    tta: z.boolean().default(false),
    /**
     * The user saw that the model is flagged "did not learn" or "overfit" and wants to use it anyway; without it
     * such a model is refused (CONFLICT, naming the verdict).
     */
    acceptFlaggedModel: z.boolean().default(false)
  })
  .strict()
  .refine((r) => (r.runId === undefined) !== (r.modelDir === undefined), {
    message: 'give either runId or modelDir, not both'
  })

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
    z.object({ jobId: Id, lowConfidenceThreshold: Threshold.optional() }).strict()
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
        lowConfidenceThreshold: Threshold.optional()
      })
      .strict()
  ).returns<InferenceExport>(),
  /** Fires for progress and status changes of any job. */
  onJobEvent: event<InferenceEvent>()
}

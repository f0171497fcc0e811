import { z } from 'zod'
import {
  TrainingConfigSchema,
  type BackboneInfo,
  type EpochMetrics,
  type Evaluation,
  type RunMark
} from '../../../shared/contract'
import { contractObject, defineEngineJob, type JobEvent, type JobParams, type JobResult } from '../../engine/job-kind'

/** One image of a training job, as frozen in the dataset version. */
export const JobItem = z.object({
  itemId: z.number().int(),
  path: z.string(),
  /** 0-based DICOM frame, or volume slice along `plane`. */
  frame: z.number().int().nonnegative(),
  /** NIfTI volume slices: the plane `frame` counts along. */
  plane: z.enum(['axial', 'coronal', 'sagittal']).nullable().optional(),
  sha256: z.string(),
  /** Index into `classNames`. */
  label: z.number().int().nonnegative(),
  split: z.enum(['train', 'val', 'test']),
  /** DICOM PatientID (0010,0020): bootstrap intervals resample whole patients when items have one. */
  patientId: z.string().nullable().optional()
})
export type JobItem = z.output<typeof JobItem>

const stage = z.union([z.literal(1), z.literal(2)])

/**
 * Engine job 'train': everything an engine process needs to train one run (the engine never opens the
 * catalog), the events it reports while training (the host adds runId and stores them) and its result.
 * The handler is runTraining (run-training.ts); the host side is services/training-service.ts.
 */
export const trainJob = defineEngineJob({
  kind: 'train',
  params: z.object({
    kind: z.literal('train'),
    runId: z.number().int(),
    config: TrainingConfigSchema,
    classNames: z.array(z.string()),
    items: z.array(JobItem),
    /** The run's model folder in the workspace (checkpoints, resume state, final model). */
    modelDir: z.string(),
    /** Workspace cache folder for embeddings. */
    cacheDir: z.string(),
    /** onnx-encoder backbones: the imported encoder file, models/backbones/<sha256>/<file> (the host resolves it). */
    encoderPath: z.string().optional(),
    /** Continue from the resume state saved in modelDir. */
    resume: z.boolean(),
    /** Dataset version, recorded in neuropath.json. */
    dataset: z.object({ id: z.number(), name: z.string(), versionId: z.number(), fingerprint: z.string().nullable() })
  }),
  // Loose objects: the listed fields are checked, fields added later to an event are kept, not stripped.
  event: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('phase'), text: z.string(), progress: z.number().nullable() }),
    z.looseObject({
      type: z.literal('backbone'),
      backbone: contractObject<BackboneInfo>('BackboneInfo'),
      backend: z.string()
    }),
    z.looseObject({
      type: z.literal('batch'),
      stage,
      epoch: z.number(),
      batch: z.number(),
      batches: z.number(),
      loss: z.number(),
      accuracy: z.number(),
      /** Images per second over the recent batches. */
      imagesPerSecond: z.number(),
      etaSeconds: z.number().nullable()
    }),
    z.looseObject({
      type: z.literal('epoch'),
      metrics: contractObject<EpochMetrics>('EpochMetrics'),
      etaSeconds: z.number().nullable(),
      /** True for an epoch a resumed stage trained before the interruption, sent again from its resume point. */
      replayed: z.boolean().optional()
    }),
    z.looseObject({ type: z.literal('mark'), mark: contractObject<RunMark>('RunMark') }),
    z.looseObject({ type: z.literal('log'), line: z.string() }),
    z.looseObject({ type: z.literal('checkpoint'), stage, epoch: z.number(), valAccuracy: z.number().nullable() })
  ]),
  result: z.looseObject({
    status: z.enum(['completed', 'stopped']),
    backend: z.string(),
    backbone: contractObject<BackboneInfo>('BackboneInfo'),
    bestValAccuracy: z.number().nullable(),
    evaluation: contractObject<Evaluation>('Evaluation').nullable(),
    modelDir: z.string(),
    /** The engine each stage actually trained on ('ort' or a tfjs backend), null for a stage that did not run. */
    stageBackends: z.object({ stage1: z.string().nullable(), stage2: z.string().nullable() }).optional(),
    /** Where the saved weights come from (a cancelled run keeps its latest best checkpoint). */
    modelOrigin: z.object({ stage: stage, weights: z.enum(['best-checkpoint', 'last-epoch']) }).optional()
  })
})

/** Everything an engine process needs to train one run. */
export type TrainingJob = JobParams<typeof trainJob>
/** Events the engine emits while training. */
export type EngineRunEvent = JobEvent<typeof trainJob>
/** What a finished training job returns. */
export type TrainingJobResult = JobResult<typeof trainJob>

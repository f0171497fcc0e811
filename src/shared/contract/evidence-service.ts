import { z } from 'zod'
import { Empty, FsPath, Id, Name } from './common'
import { GroupBySchema, type GroupBy } from './datasets'
import { event, rpc } from './define'
import type { Evaluation } from './training'
import { TrainingConfigSchema, type TrainingConfig } from './training-config'
import type { StudyMetrics } from './evidence'
import {
  EmbeddingMapRequest,
  MapPredictionsRequest,
  type EmbeddingMap,
  type EmbeddingMapEvent,
  type MapPredictions
} from './embedding-map'
import { LrFindRequest, type LrFindEvent, type LrFindResult } from './lr-find'

/** Life cycle of a cross-validation study (its folds are ordinary runs with their own statuses). */
export type StudyStatus = 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted'

export interface StudySummary {
  id: number
  /** 'cv': k-fold cross-validation; 'seeds': the version's own split trained once per seed (mean ± SD across seeds). */
  kind: 'cv' | 'seeds'
  name: string
  datasetId: number
  datasetName: string
  /** The one frozen dataset version every fold trained on. */
  versionId: number
  versionNumber: number
  /** Folds (cv) or repeats (seeds). */
  folds: number
  /** The base seed: folds are assigned with it (cv); run r trains with seed + r (seeds). */
  seed: number
  groupBy: GroupBy
  status: StudyStatus
  error: string | null
  /** Run id of each fold (index = fold); null for a fold not started yet. */
  runIds: (number | null)[]
  completedFolds: number
  /** Items that have an out-of-fold prediction. */
  oofItems: number
  /** Items in the study. */
  items: number
  metrics: StudyMetrics | null
  createdAt: string
  finishedAt: string | null
}

export interface StudyDetail extends StudySummary {
  config: TrainingConfig
  classNames: string[]
  /** Items per fold and class: `foldCounts[fold][classIndex]`. */
  foldCounts: number[][]
  /** Patients/groups in the study (items sharing a key or identical content count as one). */
  groups: number
}

export type StudyEvent =
  | { studyId: number; type: 'fold-started'; fold: number; runId: number }
  | { studyId: number; type: 'fold-finished'; fold: number; runId: number; status: string; accuracy: number | null }
  | { studyId: number; type: 'status'; status: StudyStatus; error?: string }

/** One item whose label confident learning doubts. */
export interface LabelIssueItem {
  itemId: number
  /** Absolute path of the file. */
  path: string
  given: string
  suggested: string
  /** Label quality in [0, 1] (normalized margin): lower = more likely wrong. */
  score: number
  /** Out-of-fold probabilities, in `classNames` order. */
  probs: number[]
}

export interface LabelIssueReport {
  datasetId: number
  studyId: number
  classNames: string[]
  /** Items ranked, most likely mislabelled first. */
  items: LabelIssueItem[]
  /** Items the study predicted out of fold. */
  examined: number
  /** Plain words: how the ranking was made. */
  method: string
  /**
   * Set when a fold's model did not learn (or overfit): its out-of-fold probabilities say little about the
   * labels, so the ranking should not be trusted.
   */
  warning: string | null
  /**
   * Per class (classNames order): up to 4 typical items, i.e. items labelled the class, not flagged, with the
   * highest out-of-fold probability of it (what the review shows beside a doubted image).
   */
  typical: number[][]
}

/** An evaluation of a run's model on a folder outside the catalog (one subfolder per class). */
export interface ExternalEvaluation {
  id: number
  runId: number
  name: string
  /** The folder evaluated (absolute path). */
  folder: string
  evaluation: Evaluation
  /** Subfolders skipped because the model does not know their class, and images that could not be read. */
  skipped: { unknownClasses: string[]; missingClasses: string[]; failed: { path: string; error: string }[] }
  /** Whether the images were classified with test-time augmentation (probabilities averaged over a left–right mirror and 5 % shifts). */
  tta: boolean
  createdAt: string
}

export const StartStudyRequest = z
  .object({
    datasetId: Id,
    folds: z.number().int().min(2).max(20).default(5),
    groupBy: GroupBySchema.default({ kind: 'patient' }),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    name: Name.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({}))
  })
  .strict()

export const StartSeedStudyRequest = z
  .object({
    datasetId: Id,
    /** Frozen version to train on (its own train/val/test split); a new one from the current curation when absent. */
    versionId: Id.optional(),
    repeats: z.number().int().min(2).max(20).default(5),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 100)
      .default(0),
    name: Name.optional(),
    config: TrainingConfigSchema.default(TrainingConfigSchema.parse({}))
  })
  .strict()

const StudyRef = z.object({ studyId: Id }).strict()

export const evidenceService = {
  /**
   * Freezes the dataset's current curation as one version, assigns grouped stratified folds and trains one
   * run per fold in turn (the fold held out as test). Resolves once the study is queued; follow onStudyEvent.
   */
  startStudy: rpc(StartStudyRequest).returns<StudySummary>(),
  /**
   * "Repeat with N seeds": trains the dataset version's own split N times, run r with seed + r, and reports each
   * metric's mean ± SD across seeds (how much of a difference between two runs is only the seed).
   */
  startSeedStudy: rpc(StartSeedStudyRequest).returns<StudySummary>(),
  /**
   * Continues a study that was interrupted (the app closed or an engine died mid-study), stopped or failed:
   * folds whose run completed stay as they are; the unfinished fold's run resumes from its last saved epoch;
   * the remaining folds train. CONFLICT for a study that is running or completed.
   */
  resumeStudy: rpc(StudyRef).returns<StudySummary>(),
  /** Cancels the fold that is training and stops the study. */
  cancelStudy: rpc(StudyRef).returns<StudySummary>(),
  listStudies: rpc(Empty).returns<StudySummary[]>(),
  getStudy: rpc(StudyRef).returns<StudyDetail>(),
  /**
   * Ranks the items of a dataset by how likely their label is wrong (confident learning on a study's
   * out-of-fold probabilities; the dataset's latest completed study when studyId is absent).
   */
  labelIssues: rpc(z.object({ datasetId: Id, studyId: Id.optional() }).strict()).returns<LabelIssueReport>(),
  /**
   * Evaluates a run's model on a folder with one subfolder per class, stored with the run. `tta` classifies
   * with test-time augmentation (see StartInferenceRequest.tta).
   */
  evaluateExternal: rpc(
    z.object({ runId: Id, folder: FsPath, name: Name.optional(), tta: z.boolean().default(false) }).strict()
  ).returns<ExternalEvaluation>(),
  listExternalEvaluations: rpc(z.object({ runId: Id }).strict()).returns<ExternalEvaluation[]>(),
  /**
   * Learning-rate finder (lr-find.ts): sweeps stage 1's head over the dataset's current training split, or
   * stage 2 (top layers + head from a run's stage 1 head) over that run's training split, in an engine process;
   * returns the loss curve and a suggested rate. Progress arrives as onLrFindEvent. One sweep per dataset at a
   * time (CONFLICT otherwise); cancelLearningRate stops it (the call then rejects with CANCELLED).
   */
  findLearningRate: rpc(LrFindRequest).returns<LrFindResult>(),
  /** Cancels the dataset's running sweep; `cancelled` is false when none was running. */
  cancelLearningRate: rpc(z.object({ datasetId: Id }).strict()).returns<{ cancelled: boolean }>(),
  /**
   * Computes (or returns from the workspace cache) the embedding map of a dataset's items: backbone embeddings,
   * exact PCA, then UMAP, in an engine process. The PCA arrives first as onMapEvent {type:'pca'}; progress as
   * onMapEvent {type:'progress'}. One map per dataset at a time (CONFLICT otherwise).
   */
  computeEmbeddingMap: rpc(EmbeddingMapRequest).returns<EmbeddingMap>(),
  /** The cached map for these items and backbone, or null when none was computed yet. */
  getEmbeddingMap: rpc(EmbeddingMapRequest).returns<EmbeddingMap | null>(),
  /**
   * Held-out predictions to colour a map by prediction or correctness: a completed run's evaluation (its test
   * split) or a completed cross-validation study's out-of-fold predictions (every item). Read from the catalog.
   */
  getMapPredictions: rpc(MapPredictionsRequest).returns<MapPredictions>(),
  /** Cancels the dataset's running map; `cancelled` is false when none was running. */
  cancelEmbeddingMap: rpc(z.object({ datasetId: Id }).strict()).returns<{ cancelled: boolean }>(),
  onStudyEvent: event<StudyEvent>(),
  onLrFindEvent: event<LrFindEvent>(),
  onMapEvent: event<EmbeddingMapEvent>()
}

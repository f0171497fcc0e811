import type { Handlers, InferenceEvent } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { getDataset } from '../datasets'
import { awaitFinal } from '../evidence/await-final'
import { matchClassFolders } from '../evidence/external/class-folders'
import { evaluateClassified } from '../evidence/external/external-evaluation'
import { ExternalEvaluationStore } from '../evidence/external/external-store'
import { labelIssueReport } from '../evidence/study/label-issue-report'
import { createSeedStudy, createStudy } from '../evidence/study/start-study'
import { StudyRunner } from '../evidence/study/study-runner'
import { StudyStore } from '../evidence/study/study-store'
import { LrFinds } from '../evidence/lr-find/lr-finds'
import { EmbeddingMaps } from '../evidence/map/embedding-maps'
import { runMapPredictions, studyMapPredictions } from '../evidence/map/map-predictions'
import type { AppContext } from './app-context'

const CALL = { transport: 'direct' as const }

/**
 * Evidence (#14): cross-validation studies (folds are ordinary runs started through the training service),
 * label-issue ranking from their out-of-fold predictions, and external validation of a run's model on a
 * class-per-subfolder folder (classified through the inference service).
 */
export function evidenceHandlers(
  ctx: AppContext,
  training: Handlers['training'],
  inference: Handlers['inference']
): Handlers['evidence'] {
  const studies = new StudyStore(ctx.workspace.db)
  const externals = new ExternalEvaluationStore(ctx.workspace.db)
  const runner = new StudyRunner(ctx, training)
  const maps = new EmbeddingMaps(ctx)
  const lrFinds = new LrFinds(ctx, training)
  studies.markOrphansInterrupted()

  return {
    startStudy(req) {
      getDataset(ctx.workspace.db, req.datasetId)
      const id = createStudy(ctx.workspace.db, req)
      runner.start(id)
      return studies.get(id)
    },
    startSeedStudy(req) {
      const id = createSeedStudy(ctx.workspace.db, req)
      runner.start(id)
      return studies.get(id)
    },
    resumeStudy({ studyId }) {
      const s = studies.get(studyId)
      if (runner.isRunning(studyId) || (s.status !== 'interrupted' && s.status !== 'stopped' && s.status !== 'failed'))
        throw new AppError(
          'CONFLICT',
          `study ${studyId} is ${s.status}; only an interrupted, stopped or failed study can resume`
        )
      studies.setStatus(studyId, 'running')
      ctx.hub.emit('evidence', 'onStudyEvent', { studyId, type: 'status', status: 'running' })
      runner.start(studyId, true)
      return studies.get(studyId)
    },
    async cancelStudy({ studyId }) {
      const s = studies.get(studyId)
      if (!runner.isRunning(studyId))
        throw new AppError('CONFLICT', `study ${studyId} is ${s.status}, not running in this app`)
      await runner.cancel(studyId)
      return studies.get(studyId)
    },
    listStudies: () => studies.list(),
    getStudy: ({ studyId }) => studies.detail(studyId),
    labelIssues: ({ datasetId, studyId }) => {
      getDataset(ctx.workspace.db, datasetId)
      return labelIssueReport(ctx.workspace.db, datasetId, studyId)
    },
    async evaluateExternal({ runId, folder, name, tta }) {
      const run = await training.getRun({ runId }, CALL)
      if (run.status !== 'completed' || !run.modelDir) {
        throw new AppError('CONFLICT', `run ${runId} is ${run.status}: only a completed run's model can be evaluated`)
      }
      const match = matchClassFolders(folder, run.classNames)
      const ended = awaitFinal(ctx.hub, 'inference.onJobEvent', (p) => {
        const e = p as InferenceEvent
        return e.type === 'status' && e.status !== 'running'
          ? { id: e.jobId, end: { status: e.status, error: e.error } }
          : null
      })
      const job = await inference.startJob(
        {
          runId,
          folder,
          name: `external evaluation of run ${runId}`,
          lowConfidenceThreshold: 0.6,
          saliency: false,
          tta,
          // Measuring how a flagged model does on outside data is the point here, not using it.
          acceptFlaggedModel: true
        },
        CALL
      )
      const end = await ended(job.id)
      if (end.status !== 'completed') {
        throw new AppError('INTERNAL', `classifying ${folder} ended ${end.status}${end.error ? `: ${end.error}` : ''}`)
      }
      const detail = await inference.getJob({ jobId: job.id }, CALL)
      const evaluation = evaluateClassified(folder, match, detail.predictions, run.classNames, run.config.seed)
      if (evaluation.n === 0) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `${folder}: no readable image in the class subfolders (${[...match.folders.keys()].join(', ')})`
        )
      }
      return externals.add({
        runId,
        name: name ?? `${folder.split(/[\\/]/).filter(Boolean).at(-1) ?? folder}`,
        folder,
        evaluation,
        tta,
        skipped: {
          unknownClasses: match.unknownClasses,
          missingClasses: match.missingClasses,
          failed: detail.failures.map((f) => ({ path: f.path, error: f.message }))
        }
      })
    },
    listExternalEvaluations: ({ runId }) => externals.list(runId),
    findLearningRate: (req) => lrFinds.find(req),
    cancelLearningRate: ({ datasetId }) => lrFinds.cancel(datasetId),
    computeEmbeddingMap: (req) => maps.compute(req),
    getEmbeddingMap: (req) => maps.get(req),
    getMapPredictions: ({ datasetId, runId, studyId }) => {
      getDataset(ctx.workspace.db, datasetId)
      return runId !== undefined
        ? runMapPredictions(ctx.workspace.db, datasetId, runId)
        : studyMapPredictions(ctx.workspace.db, datasetId, studyId!)
    },
    cancelEmbeddingMap: ({ datasetId }) => maps.cancel(datasetId)
  }
}

import fs from 'node:fs/promises'
import path from 'node:path'
import type { Handlers, InferenceEvent, InferenceJobSummary, InferenceModelInfo } from '../../shared/contract'
import { isFlaggedVerdict } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { classifyJob, type ClassifyJob, type EngineClassifyEvent } from '../inference/job'
import { ActiveEngineJobs } from '../jobs/active-engine-jobs'
import { jobDetail } from '../inference/aggregate/prediction'
import { deidentifyDetail } from '../inference/export/deidentify'
import { predictionsToCsv } from '../inference/export/to-csv'
import { detailToJson } from '../inference/export/to-json'
import { saliencyMap } from '../inference/gradcam/saliency-map'
import { describeModelDir } from '../inference/model/describe-model'
import { InferenceStore } from '../inference/store/inference-store'
import { grantsFor } from '../security/path-grants'
import { atomicWrite } from '../fs/atomic-write'
import { RunStore } from '../training/runs/run-store'
import type { AppContext } from './app-context'

/** Progress events reach the UI at most this often, ms (a batch of small images can finish every few ms). */
const PROGRESS_INTERVAL_MS = 100

/**
 * Batch classification: the catalog side of the engine. Each job runs in its own engine process; this side
 * checks the model and folder, records the job, stores every batch of results as it arrives (so a crash keeps
 * what was classified), forwards progress to the UI, and serves results, Grad-CAM maps and exports.
 */
export function inferenceHandlers(ctx: AppContext): Handlers['inference'] {
  const active = new ActiveEngineJobs(classifyJob, ctx.engine, ctx.workspace)
  let stores: { jobs: InferenceStore; runs: RunStore } | null = null
  // Opened on first use, so a shell that never classifies pays nothing at start.
  const open = (): { jobs: InferenceStore; runs: RunStore } => {
    if (!stores) {
      stores = { jobs: new InferenceStore(ctx.workspace.db), runs: new RunStore(ctx.workspace.db) }
      stores.jobs.markOrphansInterrupted()
    }
    return stores
  }
  const emit = (e: InferenceEvent) => ctx.hub.emit('inference', 'onJobEvent', e)

  const modelOf = (req: { runId?: number; modelDir?: string }): InferenceModelInfo => {
    if (req.modelDir !== undefined) return describeModelDir(req.modelDir)
    const run = open().runs.get(req.runId as number)
    if (!run.modelDir)
      throw new AppError('CONFLICT', `run ${run.id} "${run.name}" has no saved model yet (status ${run.status})`)
    return describeModelDir(run.modelDir, run)
  }

  const launch = (jobId: number, job: ClassifyJob, title: string): void => {
    const { jobs } = open()
    const registryId = ctx.jobs.start('inference', title)
    let total: number | null = null
    let done = 0
    let failed = 0
    let classified = 0
    let firstResultAt: number | null = null
    let lastEmit = 0
    let phase = 'Starting the engine'
    const progress = (force: boolean) => {
      const now = Date.now()
      if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return
      lastEmit = now
      const seconds = firstResultAt === null ? 0 : (now - firstResultAt) / 1000
      const imagesPerSecond = seconds > 0.2 ? classified / seconds : null
      ctx.jobs.update(registryId, { progress: total ? done / total : null, message: phase })
      emit({ jobId, type: 'progress', phase, done, total, failed, imagesPerSecond })
    }
    const onEvent = (e: EngineClassifyEvent) => {
      switch (e.type) {
        case 'phase':
          phase = e.text
          return progress(true)
        case 'engine':
          jobs.setEngine(jobId, e.backend, e.engine)
          return
        case 'inputs':
          jobs.setTotal(jobId, e.total)
          jobs.addBatch(jobId, [], e.failures)
          total = e.total + e.failures.length
          done = failed = e.failures.length
          return progress(true)
        case 'results':
          jobs.addBatch(jobId, e.rows, e.failures)
          firstResultAt ??= Date.now()
          classified += e.rows.length
          failed += e.failures.length
          done += e.rows.length + e.failures.length
          return progress(done === total)
      }
    }
    active.start(jobId, job, {
      onEvent,
      onResult(res) {
        jobs.finish(jobId, res.status)
        ctx.jobs.update(registryId, {
          state: res.status === 'completed' ? 'done' : 'cancelled',
          progress: 1,
          message: null
        })
        emit({ jobId, type: 'status', status: res.status })
      },
      onError(err) {
        const status = err.code === 'CANCELLED' ? 'cancelled' : err.code === 'ENGINE_CRASHED' ? 'interrupted' : 'failed'
        const error = status === 'cancelled' ? null : err.message
        jobs.finish(jobId, status, error)
        ctx.jobs.update(registryId, { state: status === 'cancelled' ? 'cancelled' : 'failed', message: err.message })
        emit({ jobId, type: 'status', status, error: error ?? undefined })
      },
      onInterrupted() {
        const error = 'the app closed while this job was running'
        jobs.finish(jobId, 'interrupted', error)
        ctx.jobs.update(registryId, { state: 'failed', message: error })
        emit({ jobId, type: 'status', status: 'interrupted', error })
      }
    })
  }

  return {
    listModels() {
      const out: InferenceModelInfo[] = []
      for (const run of open().runs.list()) {
        if (!run.modelDir || (run.status !== 'completed' && run.status !== 'stopped')) continue
        try {
          out.push(describeModelDir(run.modelDir, run))
        } catch {
          // A run whose model folder was deleted or damaged is simply not offered.
        }
      }
      return out
    },

    describeModel: ({ modelDir }) => describeModelDir(modelDir),

    async startJob(req): Promise<InferenceJobSummary> {
      const { jobs } = open()
      const model = modelOf(req)
      // A model that did not learn (or overfit) gives confident garbage: it is used only when the user says so.
      if (isFlaggedVerdict(model.verdict) && !req.acceptFlaggedModel)
        throw new AppError(
          'CONFLICT',
          `model "${model.name}" is flagged: ${model.verdict!.summary}. ${model.verdict!.cause} Confirm to use it anyway (acceptFlaggedModel).`
        )
      // The user chose this folder: the viewer may open its images to show results.
      const folder = await grantsFor(ctx).grant(req.folder)
      if (!(await fs.stat(folder)).isDirectory())
        throw new AppError('INVALID_ARGUMENT', `patient folder ${folder} is not a folder`)
      const name = req.name ?? `${path.basename(folder) || folder} · ${model.name}`
      const jobId = jobs.create({
        name,
        runId: model.runId,
        model,
        folder,
        lowConfidence: req.lowConfidenceThreshold,
        saliency: req.saliency,
        tta: req.tta,
        volumePlane: req.volumePlane
      })
      launch(
        jobId,
        {
          kind: 'classify',
          jobId,
          modelDir: model.modelDir,
          folder,
          saliency: req.saliency,
          volumePlane: req.volumePlane,
          ...(req.tta ? { tta: 'standard' as const } : {})
        },
        `Classifying ${name}`
      )
      emit({ jobId, type: 'status', status: 'running' })
      return jobs.get(jobId)
    },

    cancelJob({ jobId }) {
      if (!active.cancel(jobId))
        throw new AppError('CONFLICT', `classification job ${jobId} is not running in this app`)
      return open().jobs.get(jobId)
    },

    listJobs: () => open().jobs.list(),

    getJob: ({ jobId, lowConfidenceThreshold }) => jobDetail(open().jobs, jobId, lowConfidenceThreshold),

    deleteJob({ jobId }) {
      open().jobs.delete(jobId)
      return { deleted: jobId }
    },

    getSaliency({ resultId, classIndex }) {
      const { jobs } = open()
      const { jobId, result } = jobs.result(resultId)
      const { model } = jobs.get(jobId)
      return saliencyMap(result, model.classNames, classIndex, model)
    },

    exportJob({ jobId, format, deidentify, lowConfidenceThreshold }) {
      const detail = jobDetail(open().jobs, jobId, lowConfidenceThreshold)
      const d = deidentify ? deidentifyDetail(detail) : detail
      const content = format === 'csv' ? predictionsToCsv(d.predictions, d.classNames) : detailToJson(d, deidentify)
      const fileName = `classification-${jobId}${deidentify ? '-deidentified' : ''}.${format}`
      const file = path.join(ctx.workspace.exportsDir, fileName)
      atomicWrite(file, content)
      return { path: file, fileName, format, deidentified: deidentify, rows: d.predictions.length, content }
    }
  }
}

import fs from 'node:fs'
import path from 'node:path'
import type { Handlers, RunEvent, RunSummary, TrainingConfig } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { createVersion, getDataset, readVersion } from '../datasets'
import { ActiveEngineJobs } from '../jobs/active-engine-jobs'
import { exportRunModel } from '../model-export/export-model'
import { exportRunReport } from '../training/report/export-report'
import { trainJob, type EngineRunEvent, type TrainingJob } from '../training/job/job'
import { Estimator } from '../training/runs/calibration/estimator'
import { RunStore } from '../training/runs/run-store'
import { attachFoldRun, checkFoldSlot } from '../evidence/study/run-splits'
import { runItems } from '../training/runs/run-items'
import { judgeRun } from '../training/quality/judge-run'
import { importBackbone } from '../training/runs/import-backbone'
import {
  checkAndImportEncoder,
  encoderForRun,
  listEncoders,
  readDeclaration,
  removeBackbone
} from '../training/runs/encoder-library'
import { stageFraction } from '../../shared/run-progress'
import type { AppContext } from './app-context'

/**
 * Training runs: the catalog side of the engine. Each run trains in its own engine process; this side
 * freezes the data, records every epoch, mark and log line as it arrives (so a crash loses nothing already
 * reported), forwards live events to the UI and keeps the status honest.
 */
export function trainingHandlers(ctx: AppContext): Handlers['training'] {
  const store = new RunStore(ctx.workspace.db)
  const active = new ActiveEngineJobs(trainJob, ctx.engine, ctx.workspace)
  store.markOrphansInterrupted()
  const estimator = new Estimator(ctx.workspace.db, ctx.workspace.settings, ctx.engine, () => active.ids())

  const emit = (e: RunEvent) => ctx.hub.emit('training', 'onRunEvent', e)
  // The verdict is judged once the run's epochs and evaluation are stored; a failure to judge never fails the run.
  const judgeOrNull = (runId: number) => {
    try {
      const verdict = judgeRun(store, runId)
      if (verdict && verdict.kind !== 'learned') store.addLog(runId, `${verdict.summary}. ${verdict.cause}`.trim())
      return verdict ?? undefined
    } catch (err) {
      store.addLog(runId, `could not judge whether the run learned: ${(err as Error).message}`)
      return undefined
    }
  }

  const launch = (runId: number, resume: boolean): RunSummary => {
    if (active.has(runId)) throw new AppError('CONFLICT', `run ${runId} is already running`)
    const detail = store.detail(runId)
    // A cross-validation fold trains on its study's splits (fold held out as test), not the version's.
    const { version, classNames, items } = runItems(ctx.workspace.db, runId, detail.versionId)
    const dataset = getDataset(ctx.workspace.db, detail.datasetId)
    const encoder = encoderForRun(ctx.workspace.modelsDir, detail.config)
    const job: TrainingJob = {
      kind: 'train',
      runId,
      config: detail.config,
      classNames,
      items,
      modelDir: path.join(ctx.workspace.modelsDir, `run-${runId}`),
      cacheDir: ctx.workspace.cacheDir,
      ...(encoder ? { encoderPath: encoder.encoderPath } : {}),
      resume,
      dataset: { id: dataset.id, name: dataset.name, versionId: version.id, fingerprint: version.fingerprint }
    }
    fs.mkdirSync(job.modelDir, { recursive: true })
    store.setStatus(runId, 'running')
    store.addLog(
      runId,
      resume
        ? 'resuming from the last saved epoch'
        : `starting: ${job.items.length} images, ${job.classNames.length} classes`
    )
    emit({ runId, type: 'status', status: 'running' })
    const jobId = ctx.jobs.start('training', `Training ${detail.name}`)
    let lastBatchEmit = 0

    const onEvent = (e: EngineRunEvent) => {
      switch (e.type) {
        case 'epoch':
          store.addEpoch(runId, e.metrics)
          break
        case 'mark':
          store.addMark(runId, e.mark)
          // A new stage's progress is unknown until its first batch: never the last stage's 100 %.
          if (e.mark.kind === 'stage')
            ctx.jobs.update(jobId, { progress: null, message: `stage ${e.mark.stage}: waiting for the first batch` })
          break
        case 'log':
          store.addLog(runId, e.line)
          break
        case 'backbone':
          store.setEngineInfo(runId, e.backbone, e.backend)
          return
        case 'checkpoint':
          return
        case 'phase':
          ctx.jobs.update(jobId, { message: e.text, progress: e.progress })
          break
        case 'batch': {
          // Per-batch events can arrive hundreds of times a second on embeddings; the UI needs ~10/s.
          const now = Date.now()
          if (now - lastBatchEmit < 100 && e.batch !== e.batches - 1) return
          lastBatchEmit = now
          const epochs = e.stage === 1 ? detail.config.stage1.epochs : detail.config.stage2.epochs
          ctx.jobs.update(jobId, {
            progress: stageFraction(epochs, e.epoch, e.batch + 1, e.batches),
            message: `stage ${e.stage}, epoch ${e.epoch + 1} / ${epochs}`
          })
          break
        }
      }
      emit({ runId, ...e } as RunEvent)
    }

    const onReady = (backend: string, pid: number) =>
      onEvent({ type: 'log', line: `engine process ${pid} started on the ${backend} backend` })
    active.start(runId, job, {
      onEvent,
      onReady,
      onResult(result) {
        store.setResult(runId, result)
        const verdict = judgeOrNull(runId)
        store.setStatus(runId, result.status)
        store.addLog(
          runId,
          result.status === 'completed'
            ? 'completed'
            : 'stopped by the user; the model keeps the weights learned so far'
        )
        ctx.jobs.update(jobId, { state: 'done', progress: 1 })
        emit({ runId, type: 'status', status: result.status, verdict })
      },
      onError(err, cancelRequested) {
        // An engine busy in a loop that never yields cannot read the cancel message; runInEngine then ends it.
        // The user asked for the stop, and the last epoch's resume point is on disk: that is a stopped run.
        const killedOnCancel = cancelRequested && err.code === 'ENGINE_CRASHED'
        const cancelled = err.code === 'CANCELLED' || killedOnCancel
        const status = cancelled ? 'stopped' : err.code === 'ENGINE_CRASHED' ? 'interrupted' : 'failed'
        const verdict = judgeOrNull(runId)
        store.setStatus(runId, status, { error: cancelled ? null : err.message })
        store.addLog(
          runId,
          killedOnCancel
            ? 'stopped: the engine did not reach a cancel point in time and was ended; resume continues from the last saved epoch'
            : `${status}: ${err.message}`
        )
        ctx.jobs.update(jobId, { state: cancelled ? 'cancelled' : 'failed', message: err.message })
        emit({ runId, type: 'status', status, error: cancelled ? undefined : err.message, verdict })
      },
      onInterrupted() {
        const error = 'the app closed while this run was in progress'
        store.markInterrupted(runId, error, 'interrupted: the app closed; resume continues from the last saved epoch')
        ctx.jobs.update(jobId, { state: 'failed', message: error })
        emit({ runId, type: 'status', status: 'interrupted', error })
      }
    })
    return store.get(runId)
  }

  return {
    startRun({ datasetId, versionId, name, config, fold }) {
      const dataset = getDataset(ctx.workspace.db, datasetId)
      const version = fold
        ? checkFoldSlot(ctx.workspace.db, fold.studyId, fold.fold, datasetId)
        : (versionId ?? createVersion(ctx.workspace.db, datasetId, 'frozen for a training run').id)
      const { version: v } = readVersion(ctx.workspace.db, version)
      if (v.datasetId !== datasetId)
        throw new AppError('INVALID_ARGUMENT', `version ${version} belongs to another dataset`)
      if (v.classes.length < 2)
        throw new AppError(
          'INVALID_ARGUMENT',
          `dataset "${dataset.name}" needs at least 2 classes with images to train`
        )
      if (!fold && (!v.counts.train || !v.counts.val || Object.keys(v.counts.val).length === 0)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `dataset "${dataset.name}" has no train/val split yet: split it before training`
        )
      }
      // An encoder run records the declaration it trains with (the imported one unless the config gives one).
      const full = config as TrainingConfig
      const runConfig = encoderForRun(ctx.workspace.modelsDir, full)?.config ?? full
      const runId = store.create({
        name: name ?? `${dataset.name} #${store.list().length + 1}`,
        datasetId,
        versionId: version,
        config: runConfig,
        classNames: v.classes
      })
      if (fold) attachFoldRun(ctx.workspace.db, fold.studyId, fold.fold, runId)
      return launch(runId, false)
    },
    cancelRun({ runId }) {
      if (!active.cancel(runId)) throw new AppError('CONFLICT', `run ${runId} is not running in this app`)
      store.addLog(runId, 'cancel requested')
      return store.get(runId)
    },
    resumeRun({ runId }) {
      const run = store.get(runId)
      if (run.status !== 'interrupted' && run.status !== 'stopped' && run.status !== 'failed') {
        throw new AppError(
          'CONFLICT',
          `run ${runId} is ${run.status}; only interrupted, stopped or failed runs can resume`
        )
      }
      return launch(runId, true)
    },
    listRuns: () => store.list(),
    getRun: ({ runId }) => store.detail(runId),
    renameRun: ({ runId, name }) => store.rename(runId, name),
    annotateRun: ({ runId, note }) => store.annotate(runId, note.trim()),
    deleteRun({ runId }) {
      if (active.has(runId)) throw new AppError('CONFLICT', `run ${runId} is running: cancel it before deleting it`)
      store.delete(runId)
      // Only the run's own folder inside the workspace is removed, whatever the catalog row said.
      const folder = path.join(ctx.workspace.modelsDir, `run-${runId}`)
      const existed = fs.existsSync(folder)
      try {
        fs.rmSync(folder, { recursive: true, force: true })
      } catch (err) {
        throw new AppError(
          'IO',
          `run ${runId} was deleted from the catalog but its model folder ${folder} could not be removed: ${(err as Error).message}`
        )
      }
      return { runId, removedFolder: existed ? folder : null }
    },
    async checkBackbone({ kind, path: p }) {
      if (kind === 'onnx-encoder')
        throw new AppError(
          'INVALID_ARGUMENT',
          'an ONNX encoder is checked with checkEncoder (its file and declaration)'
        )
      const check = await estimator.checkBackbone({ kind, path: p })
      return { ...check, importedPath: importBackbone(ctx.workspace.modelsDir, check) }
    },
    checkEncoder: ({ path: file, declaration }) =>
      checkAndImportEncoder(ctx.engine, ctx.workspace.modelsDir, file, declaration ?? readDeclaration(file)),
    listEncoders: () => listEncoders(ctx.workspace.modelsDir),
    removeBackbone: ({ sha256 }) => {
      if (active.ids().length > 0)
        throw new AppError('CONFLICT', 'a run is training: remove backbones when none is running')
      return { sha256: removeBackbone(ctx.workspace.modelsDir, sha256) }
    },
    estimate: ({ datasetId, versionId, config }) => {
      getDataset(ctx.workspace.db, datasetId)
      return estimator.estimate(datasetId, versionId, config as TrainingConfig)
    },
    exportReport: ({ runId }) => exportRunReport(ctx.workspace.db, ctx.workspace.exportsDir, store.detail(runId)),
    exportModel: (req) => exportRunModel(store.detail(req.runId), req, ctx.workspace.exportsDir, ctx.engine)
  }
}

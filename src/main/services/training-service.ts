import fs from 'node:fs'
import path from 'node:path'
import type { Handlers, RunEvent, RunSummary, TrainingConfig } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { createVersion, getDataset, readVersion } from '../datasets'
import { runInEngine } from '../engine/engine-host'
import { exportRunReport } from '../training/report/export-report'
import type { EngineRunEvent, TrainingJob, TrainingJobResult } from '../training/run/job'
import { Estimator } from '../training/runs/calibration/estimator'
import { RunStore } from '../training/runs/run-store'
import type { AppContext } from './app-context'

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Training runs: the catalog side of the engine. Each run trains in its own engine process; this side
 * freezes the data, records every epoch, mark and log line as it arrives (so a crash loses nothing already
 * reported), forwards live events to the UI and keeps the status honest.
 */
export function trainingHandlers(ctx: AppContext): Handlers['training'] {
  const store = new RunStore(ctx.workspace.db)
  const active = new Map<number, AbortController>()
  store.markOrphansInterrupted((pid) => pid !== process.pid && isAlive(pid))
  const estimator = new Estimator(ctx.workspace.db, ctx.workspace.settings, ctx.engine, () => [...active.keys()])

  const emit = (e: RunEvent) => ctx.hub.emit('training', 'onRunEvent', e)

  const launch = (runId: number, resume: boolean): RunSummary => {
    if (active.has(runId)) throw new AppError('CONFLICT', `run ${runId} is already running`)
    const detail = store.detail(runId)
    const { version, items } = readVersion(ctx.workspace.db, detail.versionId)
    const dataset = getDataset(ctx.workspace.db, detail.datasetId)
    const job: TrainingJob = {
      kind: 'train',
      runId,
      config: detail.config,
      classNames: version.classes,
      items: items
        .filter((i) => i.split !== null && i.labelIndex >= 0)
        .map((i) => ({
          itemId: i.itemId,
          path: i.path,
          frame: 0,
          sha256: i.sha256,
          label: i.labelIndex,
          split: i.split!
        })),
      modelDir: path.join(ctx.workspace.modelsDir, `run-${runId}`),
      cacheDir: ctx.workspace.cacheDir,
      resume,
      dataset: { id: dataset.id, name: dataset.name, versionId: version.id, fingerprint: version.fingerprint }
    }
    fs.mkdirSync(job.modelDir, { recursive: true })
    const controller = new AbortController()
    active.set(runId, controller)
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
      // The app may be closing (catalog closed) while the engine still reports; the next start marks it interrupted.
      if (!ctx.workspace.db.open) return
      switch (e.type) {
        case 'epoch':
          store.addEpoch(runId, e.metrics)
          break
        case 'mark':
          store.addMark(runId, e.mark)
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
          ctx.jobs.update(jobId, {
            progress: (e.batch + 1) / e.batches,
            message: `stage ${e.stage}, epoch ${e.epoch + 1}`
          })
          break
        }
      }
      emit({ runId, ...e } as RunEvent)
    }

    const onReady = (backend: string, pid: number) =>
      onEvent({ type: 'log', line: `engine process ${pid} started on the ${backend} backend` })
    void runInEngine<EngineRunEvent, TrainingJobResult>({
      ...ctx.engine,
      job,
      onEvent,
      onReady,
      signal: controller.signal
    })
      .then((result) => {
        if (!ctx.workspace.db.open) return
        store.setResult(runId, result)
        store.setStatus(runId, result.status)
        store.addLog(
          runId,
          result.status === 'completed'
            ? 'completed'
            : 'stopped by the user; the model keeps the weights learned so far'
        )
        ctx.jobs.update(jobId, { state: 'done', progress: 1 })
        emit({ runId, type: 'status', status: result.status })
      })
      .catch((err: AppError) => {
        if (!ctx.workspace.db.open) return
        // An engine busy in a loop that never yields cannot read the cancel message; runInEngine then ends it.
        // The user asked for the stop, and the last epoch's resume point is on disk: that is a stopped run.
        const killedOnCancel = controller.signal.aborted && err.code === 'ENGINE_CRASHED'
        const cancelled = err.code === 'CANCELLED' || killedOnCancel
        const status = cancelled ? 'stopped' : err.code === 'ENGINE_CRASHED' ? 'interrupted' : 'failed'
        store.setStatus(runId, status, { error: cancelled ? null : err.message })
        store.addLog(
          runId,
          killedOnCancel
            ? 'stopped: the engine did not reach a cancel point in time and was ended; resume continues from the last saved epoch'
            : `${status}: ${err.message}`
        )
        ctx.jobs.update(jobId, { state: cancelled ? 'cancelled' : 'failed', message: err.message })
        emit({ runId, type: 'status', status, error: cancelled ? undefined : err.message })
      })
      .finally(() => active.delete(runId))
    return store.get(runId)
  }

  return {
    startRun({ datasetId, versionId, name, config }) {
      const dataset = getDataset(ctx.workspace.db, datasetId)
      const version = versionId ?? createVersion(ctx.workspace.db, datasetId, 'frozen for a training run').id
      const { version: v } = readVersion(ctx.workspace.db, version)
      if (v.datasetId !== datasetId)
        throw new AppError('INVALID_ARGUMENT', `version ${version} belongs to another dataset`)
      if (v.classes.length < 2)
        throw new AppError(
          'INVALID_ARGUMENT',
          `dataset "${dataset.name}" needs at least 2 classes with images to train`
        )
      if (!v.counts.train || !v.counts.val || Object.keys(v.counts.val).length === 0) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `dataset "${dataset.name}" has no train/val split yet: split it before training`
        )
      }
      const runId = store.create({
        name: name ?? `${dataset.name} #${store.list().length + 1}`,
        datasetId,
        versionId: version,
        config: config as TrainingConfig,
        classNames: v.classes
      })
      return launch(runId, false)
    },
    cancelRun({ runId }) {
      const controller = active.get(runId)
      if (!controller) throw new AppError('CONFLICT', `run ${runId} is not running in this app`)
      controller.abort()
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
    checkBackbone: ({ kind, path: p }) => estimator.checkBackbone({ kind, path: p }),
    estimate: ({ datasetId, versionId, config }) => {
      getDataset(ctx.workspace.db, datasetId)
      return estimator.estimate(datasetId, versionId, config as TrainingConfig)
    },
    exportReport: ({ runId }) => exportRunReport(ctx.workspace.db, ctx.workspace.exportsDir, store.detail(runId))
  }
}

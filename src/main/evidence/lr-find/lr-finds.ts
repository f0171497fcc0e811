import fs from 'node:fs'
import path from 'node:path'
import type { Handlers, LrFindRequest, LrFindResult, TrainingConfig } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { getDataset } from '../../datasets'
import { runInEngine } from '../../engine/engine-host'
import type { JobItem } from '../../training/job/job'
import { runItems } from '../../training/runs/run-items'
import type { AppContext } from '../../services/app-context'
import { currentTrainItems } from './current-train-items'
import { lrFindJob } from './job'

const CALL = { transport: 'direct' as const }

/** A request after the contract's defaults are applied. */
type Req = Omit<LrFindRequest, 'stage' | 'config' | 'steps' | 'minLr' | 'maxLr'> & {
  stage: 1 | 2
  config: TrainingConfig
  steps: number
  minLr: number
  maxLr: number
}

/**
 * The host side of learning-rate sweeps: resolves what a sweep trains on (stage 1: the dataset's current
 * training split and the form's configuration; stage 2: a run's configuration, its training split and the stage
 * 1 head it saved), runs the 'lr-find' engine job (one per dataset at a time, cancellable), forwarding its
 * progress as evidence.onLrFindEvent.
 */
export class LrFinds {
  private readonly running = new Map<number, AbortController>()

  constructor(
    private readonly ctx: AppContext,
    private readonly training: Handlers['training']
  ) {}

  /** Stage 2's inputs: the run's configuration, classes, training images and stage 1 head folder. */
  private async stage2Inputs(
    datasetId: number,
    runId: number
  ): Promise<{ config: TrainingConfig; classNames: string[]; items: JobItem[]; stage1Head: string }> {
    const run = await this.training.getRun({ runId }, CALL)
    if (run.datasetId !== datasetId)
      throw new AppError('INVALID_ARGUMENT', `run ${runId} trained on another dataset ("${run.datasetName}")`)
    // Written by the run when its stage 1 ended (run-training.ts), whatever happened in stage 2 afterwards.
    const stage1Head = path.join(this.ctx.workspace.modelsDir, `run-${runId}`, 'resume', 'stage1-done')
    if (!fs.existsSync(path.join(stage1Head, 'head.json')))
      throw new AppError(
        'INVALID_ARGUMENT',
        `run ${runId} has no finished stage 1: a stage 2 sweep starts from the head a run saves when its stage 1 ends`
      )
    const { classNames, items } = runItems(this.ctx.workspace.db, runId, run.versionId)
    const train = items.filter((i) => i.split === 'train')
    if (train.length === 0) throw new AppError('INVALID_ARGUMENT', `run ${runId} has no training images`)
    return { config: run.config, classNames, items: train, stage1Head }
  }

  async find(req: Req): Promise<LrFindResult> {
    const { datasetId, stage, steps, minLr, maxLr } = req
    const dataset = getDataset(this.ctx.workspace.db, datasetId)
    if (this.running.has(datasetId))
      throw new AppError('CONFLICT', `a learning-rate sweep of dataset "${dataset.name}" is already running`)
    const abort = new AbortController()
    this.running.set(datasetId, abort)
    try {
      const inputs =
        stage === 2
          ? await this.stage2Inputs(datasetId, req.runId!)
          : {
              config: req.config,
              stage1Head: null,
              ...currentTrainItems(this.ctx.workspace.db, datasetId, dataset.name)
            }
      const progress = (text: string, p: number | null) =>
        this.ctx.hub.emit('evidence', 'onLrFindEvent', { datasetId, text, progress: p })
      const res = await runInEngine({
        ...this.ctx.engine,
        job: lrFindJob,
        signal: abort.signal,
        params: { kind: 'lr-find', stage, cacheDir: this.ctx.workspace.cacheDir, steps, minLr, maxLr, ...inputs },
        onEvent: (e) =>
          e.type === 'phase'
            ? progress(e.text, e.progress)
            : progress(`Learning rate ${e.lr.toExponential(1)}: loss ${e.loss.toFixed(3)}`, (e.index + 1) / steps)
      }).catch((err: unknown) => {
        // An engine that did not reach a cancel point in time is ended: that is still the cancel asked for.
        if (abort.signal.aborted) throw new AppError('CANCELLED', 'the learning-rate sweep was cancelled')
        throw err
      })
      return { datasetId, stage, runId: stage === 2 ? req.runId! : null, ...res }
    } finally {
      this.running.delete(datasetId)
    }
  }

  cancel(datasetId: number): { cancelled: boolean } {
    const a = this.running.get(datasetId)
    a?.abort()
    return { cancelled: !!a }
  }
}

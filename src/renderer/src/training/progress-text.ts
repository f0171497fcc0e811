import type { RunEvent } from '../../../shared/contract/training'
import { stageFraction } from '../../../shared/run-progress'
import { formatDuration } from './format'

/** The progress fields that events change. */
export interface ProgressFields {
  stage: 1 | 2 | null
  /** 1-based epoch in progress within the stage; 0 before the first. */
  epoch: number
  /** Batches done in that epoch. */
  batch: number
  /** Batches per epoch; 0 until the stage's first batch reports. */
  batches: number
  imagesPerSecond: number | null
  etaSeconds: number | null
  phase: string | null
  phaseProgress: number | null
}

/** What the live panel needs to describe a run's progress (a LiveRun satisfies it). */
export interface ProgressState extends ProgressFields {
  running: boolean
  stages: (1 | 2)[]
  stageEpochs: number
}

/**
 * The progress after one live event. A new stage (its 'stage' mark, or a batch of another stage) clears what was
 * measured in the previous one (speed, ETA, batches, a phase's 100 %) until its own first batch reports.
 */
export function nextProgress(p: ProgressFields, e: RunEvent): ProgressFields {
  const enter = (stage: 1 | 2, epoch: number): ProgressFields => ({
    ...p,
    stage,
    epoch: epoch + 1,
    batch: 0,
    batches: 0,
    imagesPerSecond: null,
    etaSeconds: null,
    phaseProgress: null
  })
  switch (e.type) {
    case 'status':
      return e.status === 'running' || e.status === 'queued' ? p : { ...p, phase: null, etaSeconds: null }
    case 'phase':
      return { ...p, phase: e.text, phaseProgress: e.progress }
    case 'batch':
      return {
        ...(e.stage !== p.stage ? enter(e.stage, e.epoch) : p),
        phase: null,
        stage: e.stage,
        epoch: e.epoch + 1,
        batch: e.batch + 1,
        batches: e.batches,
        imagesPerSecond: e.imagesPerSecond,
        etaSeconds: e.etaSeconds
      }
    case 'epoch':
      return { ...p, stage: e.metrics.stage, epoch: e.metrics.epoch + 1, batch: p.batches, etaSeconds: e.etaSeconds }
    case 'mark':
      return e.mark.kind === 'stage' ? enter(e.mark.stage, e.mark.epoch) : p
    default:
      return p
  }
}

export interface ProgressText {
  stage: string
  epoch: string
  batch: string
  speed: string
  eta: string
  /** Fraction of the running stage (or of the current phase) done; null = unknown (indeterminate bar). */
  fraction: number | null
}

/**
 * Describes the stage that is running from its first moment: between a stage's start and its first batch nothing
 * from the previous stage (speed, ETA, a full bar) is shown; the texts say what is awaited instead.
 */
export function progressText(r: ProgressState): ProgressText {
  const idx = r.stage === null ? 0 : r.stages.indexOf(r.stage) + 1
  const stage = r.stage === null ? '–' : `${r.stage}${r.stages.length ? ` (${idx} of ${r.stages.length})` : ''}`
  const epoch = r.epoch ? `${r.epoch}${r.stageEpochs ? ` / ${r.stageEpochs}` : ''}` : '–'
  const waiting = r.running && r.stage !== null && r.batches === 0
  const batch = r.batches ? `${r.batch} / ${r.batches}` : waiting ? 'waiting for the first' : '–'
  const speed =
    r.imagesPerSecond !== null
      ? `${r.imagesPerSecond.toFixed(r.imagesPerSecond >= 100 ? 0 : 1)} img/s`
      : waiting
        ? 'measuring…'
        : '– img/s'
  const eta = !r.running ? '–' : r.etaSeconds !== null ? formatDuration(r.etaSeconds) : 'after the first batch'
  const inStage = r.stage !== null && r.batches > 0 && r.epoch > 0
  const fraction = inStage
    ? stageFraction(r.stageEpochs, r.epoch - 1, r.batch, r.batches)
    : r.phase !== null
      ? r.phaseProgress
      : null
  return { stage, epoch, batch, speed, eta, fraction }
}

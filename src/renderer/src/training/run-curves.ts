import type { EpochMetrics, RunMark } from '../../../shared/contract/training'

/** A chart point: x in epochs (stage-2 epochs continue after stage 1), y in the metric's units. */
export interface XY {
  x: number
  y: number
}

/** A vertical marker on the curves. */
export interface CurveMark {
  x: number
  kind: RunMark['kind']
  text: string
  /** A few characters for the chart ('Stage 2', 'LR 5e-6', 'early stop'). */
  label: string
}

/** The short chart label of a mark; the full text stays in `text`. */
export function markLabel(m: RunMark): string {
  switch (m.kind) {
    case 'stage':
      return `Stage ${m.stage}`
    case 'lr-drop': {
      const to = /→\s*(\S+)\s*$/.exec(m.text)?.[1]
      return to ? `LR ${Number(to).toExponential(0)}` : 'LR ↓'
    }
    case 'early-stop':
      return 'early stop'
    case 'resume':
      return 'resumed'
    default:
      return m.kind
  }
}

/** Weight of the previous value in the per-batch loss smoothing (TensorBoard's default). */
export const SMOOTHING = 0.9

/**
 * The series of one run's curves, built incrementally from run events (or at once from a RunDetail):
 * per-epoch loss/accuracy (train and val) and learning rate, the per-batch loss raw and smoothed, and the
 * marks. Arrays only grow, so a chart can append what it has not drawn yet instead of being rebuilt;
 * `addEpoch` returns false when a resumed run repeats an epoch (the chart must then redraw).
 */
export class RunCurves {
  readonly epochs: EpochMetrics[] = []
  readonly loss: XY[] = []
  readonly valLoss: XY[] = []
  readonly accuracy: XY[] = []
  readonly valAccuracy: XY[] = []
  readonly lr: XY[] = []
  readonly batchLoss: XY[] = []
  readonly batchSmooth: XY[] = []
  readonly marks: CurveMark[] = []
  private ema = 0
  private emaSteps = 0

  /** Stage-1 epochs recorded: stage-2 epoch e sits at x = stage1Epochs + e + 1. */
  get stage1Epochs(): number {
    return this.epochs.filter((e) => e.stage === 1).length
  }

  /** x of the end of an epoch (1-based epochs on one axis for both stages). */
  xOf(stage: 1 | 2, epoch: number): number {
    return (stage === 2 ? this.stage1Epochs : 0) + epoch + 1
  }

  addEpoch(m: EpochMetrics): boolean {
    if (this.epochs.some((e) => e.stage === m.stage && e.epoch === m.epoch)) {
      const i = this.epochs.findIndex((e) => e.stage === m.stage && e.epoch === m.epoch)
      this.epochs[i] = m
      this.rebuildEpochSeries()
      return false
    }
    this.epochs.push(m)
    this.pushEpoch(m)
    return true
  }

  private pushEpoch(m: EpochMetrics): void {
    const x = this.xOf(m.stage, m.epoch)
    this.loss.push({ x, y: m.loss })
    this.accuracy.push({ x, y: m.accuracy })
    if (m.valLoss !== null) this.valLoss.push({ x, y: m.valLoss })
    if (m.valAccuracy !== null) this.valAccuracy.push({ x, y: m.valAccuracy })
    this.lr.push({ x, y: m.lr })
  }

  private rebuildEpochSeries(): void {
    for (const a of [this.loss, this.valLoss, this.accuracy, this.valAccuracy, this.lr]) a.length = 0
    const sorted = [...this.epochs].sort((a, b) => a.stage - b.stage || a.epoch - b.epoch)
    this.epochs.splice(0, this.epochs.length, ...sorted)
    for (const m of sorted) this.pushEpoch(m)
  }

  /** One training batch: raw loss and its bias-corrected exponential moving average. */
  addBatch(stage: 1 | 2, epoch: number, batch: number, batches: number, loss: number): void {
    const x = (stage === 2 ? this.stage1Epochs : 0) + epoch + (batch + 1) / batches
    this.ema = SMOOTHING * this.ema + (1 - SMOOTHING) * loss
    this.emaSteps++
    this.batchLoss.push({ x, y: loss })
    this.batchSmooth.push({ x, y: this.ema / (1 - SMOOTHING ** this.emaSteps) })
  }

  /** Stage and resume marks sit between epochs; early stops and LR drops at the end of their epoch. */
  addMark(m: RunMark): void {
    if (m.kind === 'checkpoint') return
    const between = m.kind === 'stage' || m.kind === 'resume'
    this.marks.push({
      x: this.xOf(m.stage, m.epoch) - (between ? 0.5 : 0),
      kind: m.kind,
      text: m.text,
      label: markLabel(m)
    })
  }

  /** The curves of a stored run (no per-batch losses: only epochs are stored). */
  static fromDetail(d: { epochs: EpochMetrics[]; marks: RunMark[] }): RunCurves {
    const c = new RunCurves()
    const sorted = [...d.epochs].sort((a, b) => a.stage - b.stage || a.epoch - b.epoch)
    for (const e of sorted) c.addEpoch(e)
    for (const m of d.marks) c.addMark(m)
    return c
  }
}

import type { Api, RunDetail, RunEvent, RunSummary } from '../../shared/contract'
import { modelOriginLabel, splitLabel, stageBackendsLabel } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { Output } from './output'

const FINAL = new Set(['completed', 'stopped', 'failed', 'interrupted'])

const fmtEta = (s: number | null) =>
  s === null ? '--:--' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`

/**
 * The result line of `train` and `resume` (one contract for both). Every accuracy names its split:
 * `bestValAccuracy` is validation; `evaluation.split` says what the final evaluation was measured on ('val' when the
 * version has no test split: then there is no test figure at all).
 */
export interface RunResultJson {
  runId: number
  status: string
  error: string | null
  modelDir: string | null
  durationSeconds: number
  /** Did the run learn? Null when it has no epochs. */
  verdict: RunDetail['verdict']
  /** The tfjs backend the engine process selected, and the engine each stage actually trained on. */
  backend: string | null
  stageBackends: RunSummary['stageBackends']
  /** Where the saved weights come from (stage, best checkpoint or last epoch). */
  modelOrigin: RunSummary['modelOrigin']
  metrics: {
    bestValAccuracy: number | null
    evaluation: { split: 'test' | 'val'; n: number; accuracy: number; macroF1: number; ece: number } | null
    epochs: number
  }
}

export function runResultJson(detail: RunDetail, error: string | null): RunResultJson {
  const ev = detail.evaluation
  return {
    runId: detail.id,
    status: detail.status,
    error,
    modelDir: detail.modelDir,
    durationSeconds: Math.round(detail.durationSeconds * 10) / 10,
    verdict: detail.verdict,
    backend: detail.backend,
    stageBackends: detail.stageBackends ?? null,
    modelOrigin: detail.modelOrigin ?? null,
    metrics: {
      bestValAccuracy: detail.bestValAccuracy,
      evaluation: ev ? { split: ev.split, n: ev.n, accuracy: ev.accuracy, macroF1: ev.macroF1, ece: ev.ece } : null,
      epochs: detail.epochs.length
    }
  }
}

function humanResult(r: RunResultJson): string {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(3))
  const ev = r.metrics.evaluation
  const lines = [
    `run ${r.runId}: ${r.status}${r.error ? ` (${r.error})` : ''} after ${r.durationSeconds.toFixed(1)} s`,
    `  best validation accuracy ${f(r.metrics.bestValAccuracy)}` +
      (ev
        ? `; on the ${splitLabel(ev.split)} split (n = ${ev.n}): accuracy ${f(ev.accuracy)}, macro F1 ${f(ev.macroF1)}` +
          (ev.split === 'val' ? ' (no test split: optimistic)' : '')
        : '; no evaluation'),
    `  model: ${r.modelDir ?? '(none)'}${r.modelOrigin ? ` (${modelOriginLabel(r.modelOrigin)})` : ''}`
  ]
  const engines = stageBackendsLabel(r.stageBackends)
  if (engines) lines.splice(2, 0, `  trained on ${engines}`)
  if (r.verdict && r.verdict.kind !== 'learned') lines.push(`  WARNING ${r.verdict.summary}`, `  ${r.verdict.cause}`)
  return lines.join('\n')
}

/**
 * Follows a started (or resumed) run to its end: progress on stderr (or JSON events on stdout with --json), then
 * the result. Ctrl-C cancels the run and keeps its best checkpoint. Throws for a failed or interrupted run.
 */
export async function followRun(api: Api, run: RunSummary, out: Output): Promise<number> {
  let wake: () => void = () => {}
  const buffered: RunEvent[] = []
  const off = api.training.onRunEvent((e) => {
    buffered.push(e)
    wake()
  })
  const cancel = () => void api.training.cancelRun({ runId: run.id }).catch(() => undefined)
  process.once('SIGINT', cancel)
  try {
    // The run may have ended before the subscription: its stored status is the truth then.
    let status = (await api.training.getRun({ runId: run.id })).status as string
    if (status === 'queued') status = 'running'
    let error: string | undefined
    while (!FINAL.has(status)) {
      if (buffered.length === 0) await new Promise<void>((r) => (wake = r))
      for (const e of buffered.splice(0)) {
        if (e.runId !== run.id) continue
        out.event(e)
        if (e.type === 'status') {
          status = e.status
          error = e.error
        } else if (!out.json) printProgress(e, out)
      }
    }
    const detail = await api.training.getRun({ runId: run.id })
    const result = runResultJson(detail, error ?? detail.error)
    out.result(result, humanResult)
    if (status === 'failed' || status === 'interrupted')
      throw new AppError('INTERNAL', `run ${run.id} ${status}: ${error ?? ''}`)
    return 0
  } finally {
    process.removeListener('SIGINT', cancel)
    off()
  }
}

function printProgress(e: RunEvent, out: Output): void {
  if (e.type === 'batch')
    process.stderr.write(
      `\r  stage ${e.stage} epoch ${e.epoch + 1} batch ${e.batch + 1}/${e.batches}  loss ${e.loss.toFixed(4)}  ${Math.round(e.imagesPerSecond)} img/s  ETA ${fmtEta(e.etaSeconds)}   `
    )
  else if (e.type === 'epoch') {
    const m = e.metrics
    process.stderr.write('\r')
    out.info(
      `stage ${m.stage} epoch ${m.epoch + 1}: loss ${m.loss.toFixed(4)} acc ${m.accuracy.toFixed(3)} val_loss ${m.valLoss?.toFixed(4)} val_acc ${m.valAccuracy?.toFixed(3)} lr ${m.lr.toExponential(1)} (${m.seconds.toFixed(1)} s)`
    )
  } else if (e.type === 'phase') out.info(e.progress === null ? e.text : `${e.text} ${Math.round(e.progress * 100)}%`)
  else if (e.type === 'mark' && e.mark.kind !== 'checkpoint') out.info(`  ${e.mark.text}`)
}

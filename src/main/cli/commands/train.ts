import fs from 'node:fs'
import type { RunEvent, RunSummary, TrainingConfigInput } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { datasetByName, directApi } from '../../datasets/cli/direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

const FINAL = new Set(['completed', 'stopped', 'failed', 'interrupted'])

/** `--backbone nsfwjs|random|PATH`: a .h5 file is Keras weights, anything else a tfjs model folder. */
function backboneFlag(v: string | undefined): TrainingConfigInput['backbone'] | undefined {
  if (!v) return undefined
  if (v === 'nsfwjs' || v === 'random') return { kind: v }
  if (!fs.existsSync(v))
    throw new UsageError(`--backbone ${v}: no such file or folder (use nsfwjs, random, a .h5 file or a tfjs folder)`)
  return v.toLowerCase().endsWith('.h5') ? { kind: 'keras-h5', path: v } : { kind: 'tfjs-dir', path: v }
}

function readConfigFile(file: string | undefined): TrainingConfigInput {
  if (!file) return {}
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TrainingConfigInput
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`)
  }
}

const fmtEta = (s: number | null) =>
  s === null ? '--:--' : `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`

export const trainCommand = {
  name: 'train',
  summary: 'train a classifier on a split dataset (two stages, callbacks, evaluation on the test split)',
  usage:
    'neuropath train --dataset NAME [--config FILE.json] [--backbone nsfwjs|random|PATH] [--epochs1 N] [--epochs2 N] [--input-size N] [--seed N] [--name NAME] [--json]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      config: { type: 'string' },
      backbone: { type: 'string' },
      epochs1: { type: 'string' },
      epochs2: { type: 'string' },
      'input-size': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const config = readConfigFile(values.config)
    const int = (n: number) => Number.isInteger(n) && n >= 0
    const backbone = backboneFlag(values.backbone)
    if (backbone) config.backbone = backbone
    if (values.epochs1 !== undefined)
      config.stage1 = { ...config.stage1, epochs: numberFlag('epochs1', values.epochs1, 20, int) }
    if (values.epochs2 !== undefined)
      config.stage2 = { ...config.stage2, epochs: numberFlag('epochs2', values.epochs2, 30, int) }
    if (values['input-size'] !== undefined) config.inputSize = numberFlag('input-size', values['input-size'], 224, int)
    if (values.seed !== undefined) config.seed = numberFlag('seed', values.seed, 42, int)

    const core = openCore(values.workspace)
    const api = directApi(core)
    let run: RunSummary | null = null
    let wake: () => void = () => {}
    const buffered: RunEvent[] = []
    const off = api.training.onRunEvent((e) => {
      buffered.push(e)
      wake()
    })
    const cancel = () => void (run && api.training.cancelRun({ runId: run.id }).catch(() => undefined))
    process.once('SIGINT', cancel)
    try {
      const dataset = await datasetByName(api, values.dataset)
      run = await api.training.startRun({ datasetId: dataset.id, name: values.name, config })
      out.info(
        `run ${run.id} "${run.name}" started on dataset "${dataset.name}" (Ctrl-C stops it and keeps the best checkpoint)`
      )
      let status = run.status as string
      let error: string | undefined
      while (!FINAL.has(status)) {
        if (buffered.length === 0) await new Promise<void>((r) => (wake = r))
        for (const e of buffered.splice(0)) {
          if (e.runId !== run.id) continue
          out.event(e)
          if (e.type === 'status') {
            status = e.status
            error = e.error
          } else if (!out.json) {
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
            } else if (e.type === 'phase')
              out.info(e.progress === null ? e.text : `${e.text} ${Math.round(e.progress * 100)}%`)
            else if (e.type === 'mark' && e.mark.kind !== 'checkpoint') out.info(`  ${e.mark.text}`)
          }
        }
      }
      const detail = await api.training.getRun({ runId: run.id })
      const result = {
        runId: run.id,
        status,
        error: error ?? null,
        modelDir: detail.modelDir,
        metrics: {
          bestValAccuracy: detail.bestValAccuracy,
          testAccuracy: detail.testAccuracy,
          macroF1: detail.macroF1,
          ece: detail.evaluation?.ece ?? null,
          epochs: detail.epochs.length
        }
      }
      out.result(result, (r: typeof result) =>
        [
          `run ${r.runId}: ${r.status}${r.error ? ` (${r.error})` : ''}`,
          `  best val accuracy ${r.metrics.bestValAccuracy?.toFixed(3) ?? '-'}, test accuracy ${r.metrics.testAccuracy?.toFixed(3) ?? '-'}, macro F1 ${r.metrics.macroF1?.toFixed(3) ?? '-'}`,
          `  model: ${r.modelDir ?? '(none)'}`
        ].join('\n')
      )
      if (status === 'failed' || status === 'interrupted')
        throw new AppError('INTERNAL', `run ${run.id} ${status}: ${error ?? ''}`)
      return 0
    } finally {
      process.removeListener('SIGINT', cancel)
      off()
      core.close()
    }
  }
}

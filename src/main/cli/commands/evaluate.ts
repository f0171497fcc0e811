import type { Evaluation } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { directApi } from '../../datasets/cli/direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const evaluateCommand = {
  name: 'evaluate',
  summary: "a run's evaluation on its test split: accuracy, per-class P/R/F1, confusion, ROC AUC, ECE",
  usage: 'neuropath evaluate --run ID [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, { run: { type: 'string' } })
    if (!values.run) throw new UsageError('missing --run ID (neuropath runs lists them)')
    const runId = numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n > 0)
    const core = openCore(values.workspace)
    try {
      const run = await directApi(core).training.getRun({ runId })
      if (!run.evaluation) {
        throw new AppError(
          'NOT_FOUND',
          `run ${runId} has no evaluation: it is ${run.status}${run.status === 'stopped' ? ' (stopped runs are not evaluated)' : ''}`
        )
      }
      out.result({ runId, ...run.evaluation }, (e: Evaluation) => render(e))
      return 0
    } finally {
      core.close()
    }
  }
}

function render(e: Evaluation): string {
  const w = Math.max(8, ...e.classNames.map((c) => c.length))
  return [
    `evaluation on the ${e.split} split (${e.n} images): accuracy ${e.accuracy.toFixed(3)}, macro F1 ${e.macroF1.toFixed(3)}, weighted F1 ${e.weightedF1.toFixed(3)}, ECE ${e.ece.toFixed(3)}`,
    '',
    `${'class'.padEnd(w)}  precision  recall  F1     support  AUC`,
    ...e.perClass.map(
      (c, i) =>
        `${c.name.padEnd(w)}  ${c.precision.toFixed(3).padStart(9)}  ${c.recall.toFixed(3).padStart(6)}  ${c.f1.toFixed(3)}  ${String(c.support).padStart(7)}  ${e.roc[i]?.auc?.toFixed(3) ?? '-'}`
    ),
    '',
    'confusion (rows = true, columns = predicted):',
    ...e.confusion.map((row, i) => `${e.classNames[i].padEnd(w)}  ${row.map((n) => String(n).padStart(5)).join(' ')}`)
  ].join('\n')
}

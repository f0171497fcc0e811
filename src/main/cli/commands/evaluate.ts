import path from 'node:path'
import type { Evaluation, ExternalEvaluation } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'
import { evaluationText } from '../evaluation-text'

export const evaluateCommand = {
  name: 'evaluate',
  summary:
    "a run's evaluation on its test split, or on an external folder (one subfolder per class), with 95 % bootstrap intervals",
  usage: 'neuropath evaluate --run ID [--folder DIR [--name NAME] [--tta]] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      run: { type: 'string' },
      folder: { type: 'string' },
      name: { type: 'string' },
      tta: { type: 'boolean' }
    })
    if (!values.run) throw new UsageError('missing --run ID (neuropath runs lists them)')
    const runId = numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n > 0)
    if (values.tta && !values.folder)
      throw new UsageError('--tta applies to --folder: the stored test evaluation was measured without it')
    const core = openCore(values.workspace)
    try {
      if (values.folder) {
        const folder = path.resolve(values.folder)
        out.info(`classifying ${folder} with run ${runId}'s model${values.tta ? ' and test-time augmentation' : ''}…`)
        const ext = await directApi(core).evidence.evaluateExternal({
          runId,
          folder,
          name: values.name,
          tta: values.tta ?? false
        })
        out.result(
          {
            runId,
            externalEvaluationId: ext.id,
            name: ext.name,
            folder: ext.folder,
            tta: ext.tta,
            skipped: ext.skipped,
            ...ext.evaluation
          },
          () => externalText(ext)
        )
        return 0
      }
      const run = await directApi(core).training.getRun({ runId })
      if (!run.evaluation) {
        throw new AppError(
          'NOT_FOUND',
          `run ${runId} has no evaluation: it is ${run.status}${run.status === 'stopped' ? ' (stopped runs are not evaluated)' : ''}`
        )
      }
      out.result({ runId, ...run.evaluation }, (e: Evaluation) => evaluationText(e))
      return 0
    } finally {
      core.close()
    }
  }
}

function externalText(x: ExternalEvaluation): string {
  const notes = [
    ...(x.skipped.unknownClasses.length
      ? [`note: subfolder(s) ${x.skipped.unknownClasses.join(', ')} name no class of the model and were not evaluated`]
      : []),
    ...(x.skipped.missingClasses.length
      ? [
          `note: class(es) ${x.skipped.missingClasses.join(', ')} have no subfolder: no positives, so no sensitivity or AUC for them`
        ]
      : []),
    ...(x.skipped.failed.length
      ? [
          `note: ${x.skipped.failed.length} file(s) could not be read, e.g. ${x.skipped.failed[0].path}: ${x.skipped.failed[0].error}`
        ]
      : [])
  ]
  return [
    `external evaluation ${x.id} "${x.name}" of run ${x.runId}`,
    ...notes,
    evaluationText(x.evaluation, `external folder ${x.folder}${x.tta ? ', test-time augmentation' : ''}`)
  ].join('\n')
}

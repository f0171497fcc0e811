import { directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { followRun } from '../follow-run'
import { UsageError } from '../output'

/** `neuropath resume --run ID`: continues an interrupted, stopped or failed run; same output contract as `train`. */
export const resumeCommand = {
  name: 'resume',
  summary: 'continue an interrupted, stopped or failed training run from its last saved epoch',
  usage: 'neuropath resume --run ID [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, { run: { type: 'string' } })
    if (values.run === undefined) throw new UsageError('missing --run ID (see neuropath runs)')
    const runId = numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n > 0)
    const core = openCore(values.workspace)
    const api = directApi(core)
    try {
      const run = await api.training.resumeRun({ runId })
      out.info(`run ${run.id} "${run.name}" resumed from its last saved epoch (Ctrl-C stops it again)`)
      return await followRun(api, run, out)
    } finally {
      core.close()
    }
  }
}

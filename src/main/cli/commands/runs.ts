import type { RunSummary } from '../../../shared/contract'
import { directApi } from '../../datasets/cli/direct-api'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`)

export const runsCommand = {
  name: 'runs',
  summary: 'list training runs with status, dataset version, backbone, backend and metrics',
  usage: 'neuropath runs [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {})
    const core = openCore(values.workspace)
    try {
      const runs = await directApi(core).training.listRuns({})
      out.result(runs, (rs: RunSummary[]) =>
        rs.length === 0
          ? 'no training runs yet (neuropath train --dataset NAME)'
          : [
              'id  status       dataset (version)        backbone  backend  best val  test acc  macro F1  name',
              ...rs.map(
                (r) =>
                  `${String(r.id).padEnd(3)} ${r.status.padEnd(12)} ${`${r.datasetName} (v${r.versionId})`.padEnd(24)} ${r.backbone.padEnd(9)} ${(r.backend ?? '-').padEnd(8)} ${pct(r.bestValAccuracy)}    ${pct(r.testAccuracy)}    ${pct(r.macroF1)}   ${r.name}`
              )
            ].join('\n')
      )
      return 0
    } finally {
      core.close()
    }
  }
}

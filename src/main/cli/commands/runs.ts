import { stageBackendsLabel, type RunSummary } from '../../../shared/contract'
import { directApi } from '../direct-api'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`)

export const runsCommand = {
  name: 'runs',
  summary:
    'list training runs with status, dataset version, backbone, backend, metrics (with their split), duration and verdict',
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
              'id  status       dataset (version)        backbone  backend  best val  eval acc (split)  macro F1  duration  verdict          name',
              ...rs.map(
                (r) =>
                  `${String(r.id).padEnd(3)} ${r.status.padEnd(12)} ${`${r.datasetName} (v${r.versionId})`.padEnd(24)} ${r.backbone.padEnd(9)} ${(stageBackendsLabel(r.stageBackends, true) ?? r.backend ?? '-').padEnd(8)} ${pct(r.bestValAccuracy)}    ${pct(r.evaluationAccuracy)} ${(r.evaluationSplit ? `(${r.evaluationSplit})` : '').padEnd(6)}    ${pct(r.macroF1)}   ${`${Math.round(r.durationSeconds)} s`.padStart(7)}  ${(r.verdict?.kind ?? '-').padEnd(15)}  ${r.name}`
              )
            ].join('\n')
      )
      return 0
    } finally {
      core.close()
    }
  }
}

import type { LabelIssueReport } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

function human(r: LabelIssueReport): string {
  const warning = r.warning ? `WARNING ${r.warning}\n` : ''
  return warning + ranking(r)
}

function ranking(r: LabelIssueReport): string {
  if (r.items.length === 0) return `no label issues among ${r.examined} items (study ${r.studyId})`
  const w = Math.max(5, ...r.items.map((i) => i.given.length))
  return [
    `${r.items.length} of ${r.examined} items may be mislabelled (study ${r.studyId}; ${r.method}):`,
    `  score  ${'given'.padEnd(w)}  suggested  path`,
    ...r.items.map((i) => `  ${i.score.toFixed(3)}  ${i.given.padEnd(w)}  ${i.suggested.padEnd(9)}  ${i.path}`)
  ].join('\n')
}

export const labelIssuesCommand = {
  name: 'label-issues',
  summary: 'items whose label is probably wrong, ranked by confident learning on a cross-validation study',
  usage: 'neuropath label-issues --dataset NAME [--study ID] [--json]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, { dataset: { type: 'string' }, study: { type: 'string' } })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const studyId =
      values.study === undefined ? undefined : numberFlag('study', values.study, 0, (n) => Number.isInteger(n) && n > 0)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const dataset = await datasetByName(api, values.dataset)
      out.result(await api.evidence.labelIssues({ datasetId: dataset.id, studyId }), human)
      return 0
    } finally {
      await core.close()
    }
  }
}

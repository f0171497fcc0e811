import type { LeakageFinding, LeakageReport } from '../../../shared/contract'
import { datasetByName, directApi } from '../../datasets/cli/direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const leakageCommand = {
  name: 'leakage',
  summary: 'list exact and near-duplicate images that sit in different splits or classes',
  usage: 'neuropath leakage --dataset NAME [--threshold 6] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, { dataset: { type: 'string' }, threshold: { type: 'string' } })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const threshold = numberFlag('threshold', values.threshold, 6, (n) => Number.isInteger(n) && n >= 0 && n <= 20)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const ds = await datasetByName(api, values.dataset)
      out.result(await api.datasets.leakage({ datasetId: ds.id, threshold }), renderLeakage)
      return 0
    } finally {
      core.close()
    }
  }
}

function renderLeakage(r: LeakageReport): string {
  const lines = [
    `${r.exact.length} exact and ${r.near.length} near-duplicate finding(s) among ${r.itemsChecked} included item(s) (dHash ≤ ${r.threshold} bits)`
  ]
  const show = (f: LeakageFinding) => {
    const why = [f.crossSplit ? 'different splits' : '', f.crossClass ? 'different classes' : '']
      .filter(Boolean)
      .join(', ')
    lines.push(`  ${f.id} (${why}${f.kind === 'near' ? `, distance ≤ ${f.maxDistance}` : ''}):`)
    for (const i of f.items) lines.push(`    [${i.split ?? 'unsplit'}] ${i.className}  ${i.path}  (item ${i.itemId})`)
  }
  r.exact.forEach(show)
  r.near.forEach(show)
  return lines.join('\n')
}

import type { LeakageFinding, LeakageReport } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const leakageCommand = {
  name: 'leakage',
  summary: 'list exact and near-duplicate images that sit in different splits or classes',
  usage: 'neuropath leakage --dataset NAME [--threshold 6] [--pixel-threshold SD] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      threshold: { type: 'string' },
      'pixel-threshold': { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const threshold = numberFlag('threshold', values.threshold, 6, (n) => Number.isInteger(n) && n >= 0 && n <= 20)
    const pixel = values['pixel-threshold']
    const pixelThreshold =
      pixel === undefined ? undefined : numberFlag('pixel-threshold', pixel, 0, (n) => n >= 0 && n <= 5)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const ds = await datasetByName(api, values.dataset)
      out.result(await api.datasets.leakage({ datasetId: ds.id, threshold, pixelThreshold }), renderLeakage)
      return 0
    } finally {
      core.close()
    }
  }
}

function renderLeakage(r: LeakageReport): string {
  const lines = [
    `${r.exact.length} exact and ${r.near.length} near-duplicate pair(s) among ${r.itemsChecked} included item(s)`,
    `  measure: ${r.measure}`,
    `  ${r.candidatePairs} candidate pair(s) measured, ${r.rejectedPairs} rejected as different pictures${r.truncated ? ' (search truncated)' : ''}`
  ]
  const show = (f: LeakageFinding) => {
    const why = [f.crossSplit ? 'different splits' : '', f.crossClass ? 'different classes' : '']
      .filter(Boolean)
      .join(', ')
    const dist =
      f.kind === 'near'
        ? `, dHash ${f.maxDistance} bits, pixel ${f.pixelDistance === null ? 'not measured' : `${f.pixelDistance} SD`}`
        : ''
    lines.push(`  ${f.id} (${why}${dist}):`)
    for (const i of f.items) lines.push(`    [${i.split ?? 'unsplit'}] ${i.className}  ${i.path}  (item ${i.itemId})`)
  }
  r.exact.forEach(show)
  r.near.forEach(show)
  return lines.join('\n')
}

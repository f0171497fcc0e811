import type { DatasetSummary } from '../../../shared/contract'
import { directApi } from '../direct-api'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'

export const datasetsCommand = {
  name: 'datasets',
  summary: 'list datasets with item, class, split and version counts',
  usage: 'neuropath datasets [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {})
    const core = openCore(values.workspace)
    try {
      const list = await directApi(core).datasets.list({})
      out.result({ datasets: list }, (r: { datasets: DatasetSummary[] }) => renderDatasets(r.datasets))
      return 0
    } finally {
      core.close()
    }
  }
}

function renderDatasets(list: DatasetSummary[]): string {
  if (!list.length) return 'No datasets yet (neuropath import DIR --dataset NAME creates one)'
  const rows = list.map((d) => [
    String(d.id),
    d.name,
    String(d.items),
    String(d.classes),
    `${d.splits.train}/${d.splits.val}/${d.splits.test}/${d.splits.unassigned}`,
    String(d.excluded),
    String(d.versions)
  ])
  return table(['id', 'name', 'items', 'classes', 'train/val/test/unsplit', 'excluded', 'versions'], rows)
}

/** Left-aligned text table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

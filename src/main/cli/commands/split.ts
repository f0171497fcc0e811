import type { GroupBy, SplitReport } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'
import { table } from './datasets'

export const splitCommand = {
  name: 'split',
  summary: 'assign train/val/test stratified by class, keeping each patient (or folder / regex group) in one split',
  usage:
    'neuropath split --dataset NAME [--val 0.15] [--test 0.15] [--seed 42] [--group-by patient|none|folder:N|regex:PATTERN] [--json]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      val: { type: 'string' },
      test: { type: 'string' },
      seed: { type: 'string' },
      'group-by': { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const val = numberFlag('val', values.val, 0.15, (n) => n >= 0 && n < 1)
    const test = numberFlag('test', values.test, 0.15, (n) => n >= 0 && n < 1)
    const seed = numberFlag('seed', values.seed, 42, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff)
    if (val + test >= 1) throw new UsageError(`--val ${val} + --test ${test} leave nothing for train`)
    const groupBy = parseGroupBy(values['group-by'] ?? 'patient')
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const ds = await datasetByName(api, values.dataset)
      const report = await api.datasets.split({ datasetId: ds.id, val, test, seed, groupBy })
      out.result(report, renderSplit)
      return 0
    } finally {
      core.close()
    }
  }
}

/** `patient` | `none` | `folder:N` | `regex:PATTERN` → GroupBy. */
export function parseGroupBy(v: string): GroupBy {
  if (v === 'patient' || v === 'none') return { kind: v }
  const folder = /^folder:(\d+)$/.exec(v)
  if (folder) return { kind: 'folder', level: Number(folder[1]) }
  if (v.startsWith('regex:') && v.length > 6) {
    const pattern = v.slice(6)
    try {
      new RegExp(pattern)
    } catch (err) {
      throw new UsageError(`--group-by ${v}: ${(err as Error).message}`)
    }
    return { kind: 'regex', pattern }
  }
  throw new UsageError(`--group-by ${v} is not one of patient, none, folder:N, regex:PATTERN`)
}

function renderSplit(r: SplitReport): string {
  const classes = Object.keys(r.perSplit.train.classes).sort()
  const rows = classes.map((c) => [
    c,
    ...(['train', 'val', 'test'] as const).map((s) => String(r.perSplit[s].classes[c] ?? 0))
  ])
  rows.push(['(items)', ...(['train', 'val', 'test'] as const).map((s) => String(r.perSplit[s].items))])
  rows.push(['(groups)', ...(['train', 'val', 'test'] as const).map((s) => String(r.perSplit[s].groups))])
  const c = r.config
  return [
    `Split ${c.train}/${c.val}/${c.test} seed ${c.seed}, ${r.groups} group(s); ${r.changed} item(s) changed split`,
    ...(r.itemsWithoutGroupKey
      ? [`  ${r.itemsWithoutGroupKey} included item(s) had no group key and were grouped alone`]
      : []),
    table(['class', 'train', 'val', 'test'], rows)
  ].join('\n')
}

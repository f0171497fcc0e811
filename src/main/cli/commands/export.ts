import type { ExportResult } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const exportCommand = {
  name: 'export',
  summary: 'export a dataset (or one of its versions) as split/class folders of copies or symlinks, or a CSV manifest',
  usage:
    'neuropath export --dataset NAME --out PATH [--layout copy|symlink|csv] [--version N] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      out: { type: 'string' },
      layout: { type: 'string' },
      version: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    if (!values.out) throw new UsageError('missing --out PATH')
    const layout = values.layout ?? 'copy'
    if (layout !== 'copy' && layout !== 'symlink' && layout !== 'csv') {
      throw new UsageError(`--layout ${layout} is not one of copy, symlink, csv`)
    }
    const versionNumber =
      values.version === undefined
        ? undefined
        : numberFlag('version', values.version, 0, (n) => Number.isInteger(n) && n > 0)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const ds = await datasetByName(api, values.dataset)
      let versionId: number | undefined
      if (versionNumber !== undefined) {
        const v = (await api.datasets.listVersions({ datasetId: ds.id })).find((x) => x.number === versionNumber)
        if (!v) throw new AppError('NOT_FOUND', `dataset "${ds.name}" has no version ${versionNumber}`)
        versionId = v.id
      }
      const res = await api.datasets.exportDataset({ datasetId: ds.id, versionId, dest: values.out, layout })
      out.result(res, (r: ExportResult) =>
        r.layout === 'csv'
          ? `Wrote a manifest of ${r.items} item(s) to ${r.manifest}`
          : `Exported ${r.items} item(s) as ${r.layout === 'copy' ? `copies (${r.bytes} bytes)` : 'symlinks'} to ${r.dest}; manifest ${r.manifest}`
      )
      return 0
    } finally {
      core.close()
    }
  }
}

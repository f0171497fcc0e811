import type { ImportFinished, ImportProgress, ImportResult } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { directApi } from '../direct-api'
import { parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

export const importCommand = {
  name: 'import',
  summary:
    'import a folder with one subfolder per class (PNG, JPEG, DICOM, NIfTI volumes as slices) into a dataset; Ctrl-C cancels',
  usage:
    'neuropath import DIR --dataset NAME [--plane axial|coronal|sagittal] [--skip-empty-slices] [--json] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { dataset: { type: 'string' }, plane: { type: 'string' }, 'skip-empty-slices': { type: 'boolean' } },
      1
    )
    if (!positionals[0]) throw new UsageError('missing the folder to import (neuropath import DIR --dataset NAME)')
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const plane = values.plane
    if (plane !== undefined && plane !== 'axial' && plane !== 'coronal' && plane !== 'sagittal') {
      throw new UsageError(`--plane must be axial, coronal or sagittal, not "${plane}"`)
    }
    const core = openCore(values.workspace)
    const api = directApi(core)
    // Events are buffered from before the call so none is missed while startImport resolves.
    const finished = new Map<string, ImportFinished>()
    let importId = ''
    let wake: () => void = () => {}
    let lastLine = 0
    const offProgress = api.datasets.onImportProgress((p: ImportProgress) => {
      if (importId && p.importId !== importId) return
      out.event({ event: 'progress', ...p })
      if (!out.json && Date.now() - lastLine >= 1000) {
        lastLine = Date.now()
        out.info(
          `  ${p.processed}/${p.seen}${p.walked ? '' : '+'} files, ${p.imported} new, ${p.failed} failed, ${p.filesPerSecond} files/s`
        )
      }
    })
    const offDone = api.datasets.onImportFinished((f) => {
      finished.set(f.importId, f)
      wake()
    })
    const cancel = () => void (importId && api.datasets.cancelImport({ importId }))
    process.once('SIGINT', cancel)
    try {
      ;({ importId } = await api.datasets.startImport({
        dataset: values.dataset,
        root: positionals[0],
        volumePlane: plane,
        skipEmptySlices: values['skip-empty-slices'] === true ? true : undefined
      }))
      while (!finished.has(importId)) await new Promise<void>((r) => (wake = r))
      const end = finished.get(importId)!
      if (end.state !== 'done' || !end.result) {
        throw new AppError(end.state === 'cancelled' ? 'CANCELLED' : 'INTERNAL', end.error?.message ?? 'import failed')
      }
      const { datasetId, imported, skipped, failed, conflicts, errors, ...rest } = end.result
      out.result({ datasetId, imported, skipped, failed, conflicts, errors, ...rest }, renderImport)
      return 0
    } finally {
      process.removeListener('SIGINT', cancel)
      offProgress()
      offDone()
      core.close()
    }
  }
}

function renderImport(r: ImportResult): string {
  const lines = [
    `Imported ${r.imported} new item(s) into "${r.dataset}" (dataset ${r.datasetId}) from ${r.root} in ${r.seconds} s (${r.filesPerSecond} files/s)`,
    `  ${r.skipped} file(s) already imported (skipped), ${r.updated} item(s) changed (updated), ${r.ignored} not images (ignored), ${r.failed} failed`
  ]
  if (r.errors.length) {
    lines.push('  failed files:')
    for (const e of r.errors.slice(0, 50)) lines.push(`    ${e.path}: ${e.reason}`)
    if (r.errors.length > 50) lines.push(`    … and ${r.errors.length - 50} more (neuropath import --json lists all)`)
  }
  if (r.conflicts) {
    lines.push(`  ${r.conflicts} conflict(s): the same content under different classes:`)
    for (const g of r.conflictGroups.slice(0, 20)) {
      lines.push(`    ${g.sha256.slice(0, 12)} (${g.classes.join(' vs ')}): ${g.items.map((i) => i.path).join(', ')}`)
    }
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`)
  return lines.join('\n')
}

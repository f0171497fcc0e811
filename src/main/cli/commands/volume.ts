import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { encodePng } from '../../imaging'
import {
  loadNiftiVolume,
  summariseVolume,
  volumeSlice,
  VOLUME_PLANES,
  type VolumePlane,
  type VolumeSummary
} from '../../imaging/nifti'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

/** Human rendering: one fact per line, the statistics last. */
function describe(s: VolumeSummary): string {
  const fmt = (n: number) =>
    Number.isInteger(n) ? String(n) : Math.abs(n) >= 1e-3 ? n.toFixed(4).replace(/\.?0+$/, '') : n.toExponential(3)
  return [
    s.file,
    `format           ${s.format}${s.volumes > 1 ? `, ${s.volumes} volumes (statistics of the first)` : ''}`,
    `dimensions       ${s.dims.join(' × ')} voxels`,
    `voxel size       ${s.voxelSizeMm.map(fmt).join(' × ')} mm`,
    `data type        ${s.dataType}`,
    `orientation      ${s.orientation} (from the ${s.orientationSource})`,
    `scaling          slope ${fmt(s.scaling.slope)}, intercept ${fmt(s.scaling.intercept)}`,
    `slices           axial ${s.slices.axial}, coronal ${s.slices.coronal}, sagittal ${s.slices.sagittal}`,
    `scaled values    min ${fmt(s.stats.min)}, max ${fmt(s.stats.max)}, mean ${fmt(s.stats.mean)}${s.stats.nonFinite ? ` (${s.stats.nonFinite} non-finite left out)` : ''}`
  ].join('\n')
}

/**
 * `neuropath volume FILE [--json] [--plane axial|coronal|sagittal --slice N --png OUT.png]`: dimensions,
 * voxel size, data type, orientation code and scaled statistics of a NIfTI volume; with --png, one plane
 * slice rendered with the volume's default window (radiological layout, see imaging/nifti/plane-slice.ts).
 * A file that cannot be read prints one line naming it and the reason and exits with 2; usage mistakes exit 1.
 */
export const volumeCommand = {
  name: 'volume',
  summary: 'summarise a NIfTI volume (.nii, .nii.gz, .hdr/.img): dims, voxel size, type, orientation, statistics',
  usage: 'neuropath volume FILE [--json] [--plane axial|coronal|sagittal --slice N --png OUT.png]',
  async run(argv: string[], { out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { plane: { type: 'string' }, slice: { type: 'string' }, png: { type: 'string' } },
      1
    )
    if (positionals.length !== 1)
      throw new UsageError('missing FILE (usage: neuropath volume FILE [--plane P --slice N --png OUT.png])')
    const plane = (values.plane ?? 'axial') as VolumePlane
    if (!VOLUME_PLANES.includes(plane))
      throw new UsageError(`--plane ${values.plane} is not one of ${VOLUME_PLANES.join(', ')}`)
    if ((values.plane || values.slice) && !values.png) throw new UsageError('--plane and --slice need --png OUT.png')
    const slice = numberFlag('slice', values.slice, -1, (n) => Number.isInteger(n) && n >= 0)
    const file = path.resolve(positionals[0])
    try {
      const volume = await loadNiftiVolume(file)
      const summary = summariseVolume(volume)
      if (values.png) {
        const index = slice >= 0 ? slice : Math.floor(summary.slices[plane] / 2)
        const { image } = volumeSlice(volume, plane, index)
        const pngPath = path.resolve(values.png)
        try {
          await fs.writeFile(pngPath, await encodePng(image))
        } catch (err) {
          throw new AppError('IO', `${pngPath}: cannot write PNG (${(err as NodeJS.ErrnoException).code ?? err})`)
        }
        out.info(`wrote ${plane} slice ${index} of ${summary.slices[plane]} to ${pngPath}`)
      }
      out.result(summary, describe)
      return 0
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_ARGUMENT' && /slice/.test(err.message))
        throw new UsageError(err.message)
      const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]
      const line = msg.includes(file) || msg.includes(values.png ?? '\u0000') ? msg : `${file}: ${msg}`
      process.stderr.write(`neuropath volume: ${line}\n`)
      return 2
    }
  }
}

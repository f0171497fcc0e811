import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import { decodeImage, dicomSummary, encodePng, type DicomSummary } from '../../imaging'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

/** Human rendering of the summary: one fact per line, the pixel statistics last. */
function describe(s: DicomSummary): string {
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3))
  const win = (w: { center: number; width: number; explanation?: string }) =>
    `C ${fmt(w.center)} / W ${fmt(w.width)}${w.explanation ? ` (${w.explanation})` : ''}`
  const lines = [
    s.file,
    `transfer syntax  ${s.transferSyntaxName} (${s.transferSyntaxUID})`,
    `size             ${s.columns} × ${s.rows} px, frame ${s.frame + 1} of ${s.frames}`,
    `pixels           ${s.photometricInterpretation}, ${s.samplesPerPixel} sample(s), allocated ${s.bitsAllocated} / stored ${s.bitsStored} / high bit ${s.highBit}, ${s.pixelRepresentation ? 'signed' : 'unsigned'}`,
    `rescale          slope ${fmt(s.rescaleSlope)}, intercept ${fmt(s.rescaleIntercept)}${s.units ? ` (${s.units})` : ''}`,
    `window           ${win(s.window)}${s.voiLutFunction !== 'LINEAR' ? `, ${s.voiLutFunction}` : ''}`,
    ...s.windows.slice(1).map((w) => `                 ${win(w)}`),
    `stored values    min ${s.pixels.min}, max ${s.pixels.max}, mean ${s.pixels.mean.toFixed(2)}`,
    `sha256           ${s.pixels.sha256}`
  ]
  return lines.join('\n')
}

/**
 * `neuropath dicom FILE [--frame N] [--json] [--png OUT.png]`: the pixel module, windows and stored-value
 * statistics of one frame, optionally its default-windowed render as PNG. Opens the file directly (the
 * user typed the path, no grant needed). A file that cannot be read prints one line naming it and the
 * reason and exits with 2; usage mistakes exit with 1.
 */
export const dicomCommand = {
  name: 'dicom',
  summary: 'summarise a DICOM file (pixel module, windows, statistics, SHA-256); --png writes the windowed image',
  usage: 'neuropath dicom FILE [--frame N] [--json] [--png OUT.png]',
  async run(argv: string[], { out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { frame: { type: 'string' }, png: { type: 'string' } }, 1)
    if (positionals.length !== 1) throw new UsageError('missing FILE (usage: neuropath dicom FILE [--frame N])')
    const frame = numberFlag('frame', values.frame, 0, (n) => Number.isInteger(n) && n >= 0)
    const file = path.resolve(positionals[0])
    try {
      const summary = await dicomSummary(file, frame)
      if (values.png) {
        const pngPath = path.resolve(values.png)
        const png = await encodePng(await decodeImage(file, { frame }))
        try {
          await fs.writeFile(pngPath, png)
        } catch (err) {
          throw new AppError('IO', `${pngPath}: cannot write PNG (${(err as NodeJS.ErrnoException).code ?? err})`)
        }
        out.info(`wrote ${pngPath}`)
      }
      out.result(summary, describe)
      return 0
    } catch (err) {
      const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]
      // Decoder messages already start with the path; make sure the line always names the file.
      const line = msg.includes(file) || msg.includes(values.png ?? '\u0000') ? msg : `${file}: ${msg}`
      process.stderr.write(`neuropath dicom: ${line}\n`)
      return 2
    }
  }
}

import fs from 'node:fs'
import path from 'node:path'
import type { InferenceEvent, InferenceJobDetail, InferenceJobSummary } from '../../../shared/contract'
import { isFlaggedVerdict } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { directApi } from '../direct-api'
import { deidentifyDetail } from '../../inference/export/deidentify'
import { detailSummary } from '../../inference/export/to-json'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'

/** Symlink-resolved path, or the path itself when it does not exist yet. */
function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p)
  } catch {
    return p
  }
}

/** Whether `child` is `parent` or lies below it. */
function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel))
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`

/** The human rendering of a finished job: counts, per-series majority and agreement, failures. */
function report(d: InferenceJobDetail, out: string): string {
  const lines = [
    `job ${d.id}: ${d.status}${d.error ? ` (${d.error})` : ''}; ${d.predictions.length} images/frames classified, ${d.failures.length} failed`,
    `  classes: ${Object.entries(d.counts)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
    '  series:',
    ...d.series.map(
      (s) =>
        `    ${s.label} [${s.count}]: ${s.majority} (agreement ${pct(s.agreement)}, mean ${s.meanPredicted}${s.lowConfidence ? `, ${s.lowConfidence} low-confidence` : ''})`
    )
  ]
  const spreads = d.predictions.flatMap((p) => (p.uncertainty === null ? [] : [p.uncertainty])).sort((a, b) => a - b)
  if (d.tta && spreads.length)
    lines.splice(
      2,
      0,
      `  test-time augmentation (6 passes): spread median ${pct(spreads[Math.floor(spreads.length / 2)])}, max ${pct(spreads[spreads.length - 1])}; ${spreads.filter((s) => s >= 0.1).length} images at 10 % or more (column tta_uncertainty)`
    )
  if (d.failures.length) lines.push('  not classified:', ...d.failures.map((f) => `    ${f.message}`))
  lines.push(`  results: ${out}`)
  return lines.join('\n')
}

export const classifyCommand = {
  name: 'classify',
  summary: 'classify every image and DICOM frame of a folder with a trained model; CSV per image, summary',
  usage:
    'neuropath classify DIR (--run ID | --model DIR) --out FILE.csv [--json] [--deidentify] [--threshold P] [--no-saliency] [--tta] [--plane axial|coronal|sagittal] [--accept-flagged-model] [--workspace DIR]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        run: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        deidentify: { type: 'boolean', default: false },
        threshold: { type: 'string' },
        'no-saliency': { type: 'boolean', default: false },
        tta: { type: 'boolean', default: false },
        plane: { type: 'string' },
        'accept-flagged-model': { type: 'boolean', default: false }
      },
      1
    )
    const folder = positionals[0]
    if (!folder)
      throw new UsageError('missing the folder to classify (neuropath classify DIR --model DIR --out FILE.csv)')
    if ((values.run === undefined) === (values.model === undefined))
      throw new UsageError('give exactly one of --run ID or --model DIR')
    if (!values.out) throw new UsageError('missing --out FILE.csv')
    const plane = values.plane
    if (plane !== undefined && plane !== 'axial' && plane !== 'coronal' && plane !== 'sagittal')
      throw new UsageError(`--plane must be axial, coronal or sagittal, not "${plane}"`)
    const runId =
      values.run === undefined ? undefined : numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n > 0)
    const threshold = numberFlag('threshold', values.threshold, 0.6, (n) => n >= 0 && n <= 1)
    const outFile = path.resolve(values.out)
    const root = path.resolve(folder)
    if (isInside(realOrSelf(root), realOrSelf(path.dirname(outFile)))) {
      throw new UsageError(
        `--out ${outFile} lies inside ${root}, which classification never modifies; write it elsewhere`
      )
    }

    const core = openCore(values.workspace)
    const api = directApi(core)
    let job: InferenceJobSummary | null = null
    let wake: () => void = () => {}
    const buffered: InferenceEvent[] = []
    const off = api.inference.onJobEvent((e) => {
      buffered.push(e)
      wake()
    })
    const cancel = () => void (job && api.inference.cancelJob({ jobId: job.id }).catch(() => undefined))
    process.once('SIGINT', cancel)
    try {
      const model =
        runId === undefined
          ? await api.inference.describeModel({ modelDir: path.resolve(values.model as string) })
          : (await api.inference.listModels({})).find((m) => m.runId === runId)
      const accept = values['accept-flagged-model']
      if (model && isFlaggedVerdict(model.verdict)) {
        const why = `model "${model.name}" is flagged: ${model.verdict!.summary}`
        if (!accept)
          throw new AppError(
            'CONFLICT',
            `${why}. Pass --accept-flagged-model to use it anyway. ${model.verdict!.cause}`
          )
        out.info(`WARNING ${why}; used because --accept-flagged-model was given`)
      }
      job = await api.inference.startJob({
        acceptFlaggedModel: accept,
        folder: root,
        runId,
        modelDir: values.model === undefined ? undefined : path.resolve(values.model),
        lowConfidenceThreshold: threshold,
        saliency: !values['no-saliency'],
        tta: values.tta,
        volumePlane: plane
      })
      out.info(
        `job ${job.id}: classifying ${job.folder} with ${job.model.name} (${job.model.classNames.join(', ')})${job.tta ? ' with test-time augmentation (6 passes per image)' : ''}${plane ? `; volumes along the ${plane} plane` : ''}; Ctrl-C stops it`
      )
      let status: string = job.status
      while (status === 'running') {
        if (buffered.length === 0) await new Promise<void>((r) => (wake = r))
        for (const e of buffered.splice(0)) {
          if (e.jobId !== job.id) continue
          if (e.type === 'status') status = e.status
          else if (!out.json && process.stderr.isTTY) {
            const rate = e.imagesPerSecond === null ? '' : `, ${e.imagesPerSecond.toFixed(1)} img/s`
            process.stderr.write(`\r  ${e.done}/${e.total ?? '?'} done, ${e.failed} failed${rate}   `)
          }
        }
      }
      if (!out.json && process.stderr.isTTY) process.stderr.write('\n')
      const exported = await api.inference.exportJob({ jobId: job.id, format: 'csv', deidentify: values.deidentify })
      fs.mkdirSync(path.dirname(outFile), { recursive: true })
      fs.writeFileSync(outFile, exported.content)
      const detail = await api.inference.getJob({ jobId: job.id })
      const shown = values.deidentify ? deidentifyDetail(detail) : detail
      out.result({ ...detailSummary(shown), out: outFile }, () => report(shown, outFile))
      if (status === 'failed' || status === 'interrupted')
        throw new AppError('INTERNAL', `job ${job.id} ${status}: ${detail.error ?? ''}`)
      return status === 'completed' ? 0 : 1
    } finally {
      process.removeListener('SIGINT', cancel)
      off()
      core.close()
    }
  }
}

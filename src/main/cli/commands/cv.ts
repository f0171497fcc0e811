import type { Api, StudyDetail, StudyEvent, StudyMetrics, StudySummary } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError, type Output } from '../output'
import { parseGroupBy } from './split'
import { readConfigFile } from './train'

/** A metric over folds: mean ± SD, t interval of the mean, and each fold's value on its held-out items. */
interface AcrossFolds {
  mean: number
  sd: number
  ci95: [number, number]
  perFold: (number | null)[]
}

/** The last line of `cv --json`. */
export interface CvResultJson {
  studyId: number
  /** 'cv' (folds) or 'seeds' (the same split, one run per seed: perFold is then per seed). */
  kind: 'cv' | 'seeds'
  status: string
  folds: number
  runIds: (number | null)[]
  metrics: { accuracy: AcrossFolds; macroF1: AcrossFolds; auc: AcrossFolds } | null
  /** Bootstrap intervals on the pooled out-of-fold predictions. */
  pooled: StudyMetrics['pooled'] | null
  /** Items with an out-of-fold prediction. */
  oofItems: number
}

function resultJson(s: StudyDetail): CvResultJson {
  const m = s.metrics
  const pick = (a: StudyMetrics['accuracy'], perFold: (number | null)[]): AcrossFolds => ({
    mean: a.mean,
    sd: a.sd,
    ci95: a.ci95,
    perFold
  })
  return {
    studyId: s.id,
    kind: s.kind,
    status: s.status,
    folds: s.folds,
    runIds: s.runIds,
    metrics: m
      ? {
          accuracy: pick(
            m.accuracy,
            m.perFold.map((f) => f.accuracy)
          ),
          macroF1: pick(
            m.macroF1,
            m.perFold.map((f) => f.macroF1)
          ),
          auc: pick(
            m.auc,
            m.perFold.map((f) => f.auc)
          )
        }
      : null,
    pooled: m?.pooled ?? null,
    oofItems: s.oofItems
  }
}

function human(r: CvResultJson): string {
  const lines = [
    r.kind === 'seeds'
      ? `study ${r.studyId}: ${r.status}, ${r.folds} seeds on the same split (test figures per seed)`
      : `study ${r.studyId}: ${r.status}, ${r.folds} folds, ${r.oofItems} items predicted out of fold`
  ]
  if (r.metrics) {
    const f = (name: string, a: AcrossFolds) =>
      `  ${name.padEnd(9)} ${a.mean.toFixed(3)} ± ${a.sd.toFixed(3)} (95 % CI of the mean ${a.ci95[0].toFixed(3)}–${a.ci95[1].toFixed(3)}); ${r.kind === 'seeds' ? 'seeds' : 'folds'}: ${a.perFold.map((v) => (v === null ? '-' : v.toFixed(3))).join(', ')}`
    lines.push(f('accuracy', r.metrics.accuracy), f('macro F1', r.metrics.macroF1), f('AUC', r.metrics.auc))
  }
  if (r.pooled) {
    const p = r.pooled
    lines.push(
      `  pooled out-of-fold: accuracy ${p.accuracy.estimate.toFixed(3)} [${p.accuracy.lower.toFixed(3)}–${p.accuracy.upper.toFixed(3)}], macro F1 ${p.macroF1.estimate.toFixed(3)} [${p.macroF1.lower.toFixed(3)}–${p.macroF1.upper.toFixed(3)}] (${p.description})`
    )
  }
  return lines.join('\n')
}

/**
 * Starts a study and follows it to its end: fold events (JSON lines with --json, text otherwise), then the
 * result. Subscribes before starting, so the first fold's events are not missed.
 */
async function runStudy(api: Api, start: () => Promise<StudySummary>, out: Output): Promise<StudyDetail> {
  let wake: () => void = () => {}
  const buffered: StudyEvent[] = []
  const off = api.evidence.onStudyEvent((e) => {
    buffered.push(e)
    wake()
  })
  let study: StudySummary
  try {
    study = await start()
  } catch (err) {
    off()
    throw err
  }
  const studyId = study.id
  out.info(
    `study ${study.id} "${study.name}": ${study.folds} folds over ${study.items} items of "${study.datasetName}" v${study.versionNumber} (Ctrl-C stops it)`
  )
  const cancel = () => void api.evidence.cancelStudy({ studyId }).catch(() => undefined)
  process.once('SIGINT', cancel)
  try {
    let status = (await api.evidence.getStudy({ studyId })).status as string
    while (status === 'running') {
      if (buffered.length === 0) await new Promise<void>((r) => (wake = r))
      for (const e of buffered.splice(0)) {
        if (e.studyId !== studyId) continue
        out.event(e)
        if (e.type === 'status') status = e.status
        else if (e.type === 'fold-started') out.info(`fold ${e.fold + 1}: run ${e.runId} started`)
        else
          out.info(
            `fold ${e.fold + 1}: run ${e.runId} ${e.status}${e.accuracy === null ? '' : `, held-out accuracy ${e.accuracy.toFixed(3)}`}`
          )
      }
    }
    return await api.evidence.getStudy({ studyId })
  } finally {
    process.removeListener('SIGINT', cancel)
    off()
  }
}

/**
 * The body the study commands share: opens the workspace, runs the study that `start` begins (or resumes),
 * prints its result and fails when it did not complete.
 */
async function studyCommand(
  { openCore, out }: CommandContext,
  workspace: string | undefined,
  start: (api: Api) => Promise<StudySummary>
): Promise<number> {
  const core = openCore(workspace)
  const api = directApi(core)
  try {
    const detail = await runStudy(api, () => start(api), out)
    out.result(resultJson(detail), human)
    if (detail.status !== 'completed')
      throw new AppError('INTERNAL', `study ${detail.id} ${detail.status}: ${detail.error ?? ''}`)
    return 0
  } finally {
    await core.close()
  }
}

export const cvCommand = {
  name: 'cv',
  summary:
    'grouped, stratified k-fold cross-validation: one run per fold, mean ± SD, intervals, out-of-fold predictions',
  usage:
    'neuropath cv --dataset NAME [--folds K] [--group-by patient|none|folder:N|regex:RE] [--config FILE.json] [--seed N] [--name NAME] [--json]\n' +
    '       neuropath cv --resume STUDY [--json]   (continues an interrupted study: finished folds stay, the unfinished fold resumes)',
  async run(argv: string[], ctx: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      folds: { type: 'string' },
      'group-by': { type: 'string' },
      config: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' },
      resume: { type: 'string' }
    })
    if (values.resume !== undefined) {
      const studyId = numberFlag('resume', values.resume, 0, (n) => Number.isInteger(n) && n >= 1)
      const other = (['dataset', 'folds', 'group-by', 'config', 'seed', 'name'] as const).filter((k) => values[k])
      if (other.length > 0)
        throw new UsageError(`--resume continues study ${studyId} as it was set up; drop --${other.join(', --')}`)
      return studyCommand(ctx, values.workspace, (api) => api.evidence.resumeStudy({ studyId }))
    }
    if (!values.dataset) throw new UsageError('missing --dataset NAME (or --resume STUDY)')
    const folds = numberFlag('folds', values.folds, 5, (n) => Number.isInteger(n) && n >= 2 && n <= 20)
    const seed = numberFlag('seed', values.seed, 0, (n) => Number.isInteger(n) && n >= 0)
    const groupBy = parseGroupBy(values['group-by'] ?? 'patient')
    const config = readConfigFile(values.config)
    const req = { folds, groupBy, seed, name: values.name, config }
    const dataset = values.dataset
    return studyCommand(ctx, values.workspace, async (api) =>
      api.evidence.startStudy({ ...req, datasetId: (await datasetByName(api, dataset)).id })
    )
  }
}

export const repeatCommand = {
  name: 'repeat',
  summary: "trains a dataset's split with N seeds: each metric's mean ± SD across seeds",
  usage: 'neuropath repeat --dataset NAME [--seeds N] [--config FILE.json] [--seed FIRST] [--name NAME] [--json]',
  async run(argv: string[], ctx: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      seeds: { type: 'string' },
      config: { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const repeats = numberFlag('seeds', values.seeds, 5, (n) => Number.isInteger(n) && n >= 2 && n <= 20)
    const seed = numberFlag('seed', values.seed, 0, (n) => Number.isInteger(n) && n >= 0)
    const config = readConfigFile(values.config)
    const req = { repeats, seed, name: values.name, config }
    const dataset = values.dataset
    return studyCommand(ctx, values.workspace, async (api) =>
      api.evidence.startSeedStudy({ ...req, datasetId: (await datasetByName(api, dataset)).id })
    )
  }
}

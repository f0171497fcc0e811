import type { LrFindResult } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { UsageError } from '../output'
import { readConfigFile } from './train'

const lr = (v: number) => v.toExponential(1)

/** The sweep as text: every tenth point of the smoothed curve with a bar, then the suggestion. */
function human(r: LrFindResult): string {
  const lo = Math.min(...r.smoothed.filter(Number.isFinite))
  const hi = Math.max(...r.smoothed.filter(Number.isFinite))
  const rows = r.lrs
    .map((x, i) => ({ x, y: r.smoothed[i], i }))
    .filter((p) => p.i % Math.max(1, Math.round(r.lrs.length / 12)) === 0 || p.i === r.lrs.length - 1)
    .map(
      (p) =>
        `  ${lr(p.x).padStart(8)}  ${p.y.toFixed(3).padStart(7)}  ${'#'.repeat(Number.isFinite(p.y) && hi > lo ? 1 + Math.round((40 * (p.y - lo)) / (hi - lo)) : 1)}`
    )
  return [
    `learning-rate sweep of stage ${r.stage} (${r.trained}${r.runId === null ? '' : `, from run ${r.runId}'s stage 1 head`}): ${r.lrs.length} steps on ${r.images} training images (batch ${r.batchSize}, ${r.backend}, ${r.backbone}), ${r.seconds.toFixed(1)} s`,
    `  ${'lr'.padStart(8)}  ${'loss'.padStart(7)}  (smoothed training loss, nats)`,
    ...rows,
    r.diverged ? '  the loss diverged; the sweep stopped there' : '  the loss did not diverge up to the largest rate',
    r.suggested === null
      ? 'no suggestion: the loss never fell (check the labels and the data)'
      : `suggested stage ${r.stage} learning rate: ${lr(r.suggested)} (middle of the longest fall; minimum ÷ 10 = ${lr(r.minimumOver10)})`
  ].join('\n')
}

export const lrFindCommand = {
  name: 'lr-find',
  summary:
    'exponential learning-rate sweep with a suggested rate: stage 1 (head on cached embeddings) or stage 2 (top layers + head from a run)',
  usage:
    'neuropath lr-find --dataset NAME [--config FILE.json] [--steps N] [--json] [--workspace DIR]\n' +
    "       neuropath lr-find --dataset NAME --stage 2 --run ID [--steps N] [--json]   (from the run's stage 1 head, with the run's configuration)",
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      config: { type: 'string' },
      steps: { type: 'string' },
      stage: { type: 'string' },
      run: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const steps = numberFlag('steps', values.steps, 100, (n) => Number.isInteger(n) && n >= 10 && n <= 400)
    const stage = numberFlag('stage', values.stage, 1, (n) => n === 1 || n === 2) as 1 | 2
    if (stage === 2 && values.run === undefined)
      throw new UsageError("--stage 2 needs --run ID: the sweep starts from that run's stage 1 head")
    if (stage === 2 && values.config !== undefined)
      throw new UsageError("--stage 2 sweeps the run's own configuration; drop --config")
    if (stage === 1 && values.run !== undefined) throw new UsageError('--run is for --stage 2')
    const runId =
      values.run === undefined ? undefined : numberFlag('run', values.run, 0, (n) => Number.isInteger(n) && n >= 1)
    const config = readConfigFile(values.config)
    const core = openCore(values.workspace)
    try {
      const api = directApi(core)
      const dataset = await datasetByName(api, values.dataset)
      let last = ''
      const off = api.evidence.onLrFindEvent((e) => {
        if (e.datasetId !== dataset.id) return
        out.event({ type: 'progress', text: e.text, progress: e.progress })
        // One human line per phase, not per step or per embedding batch.
        const phase = e.text.startsWith('Learning rate') ? 'sweep' : e.text.replace(/ \(.*$/, '')
        if (!out.json && phase !== last && phase !== 'sweep') out.info(e.text)
        last = phase
      })
      try {
        out.result(
          await api.evidence.findLearningRate(
            stage === 2 ? { datasetId: dataset.id, stage, runId, steps } : { datasetId: dataset.id, config, steps }
          ),
          human
        )
      } finally {
        off()
      }
      return 0
    } finally {
      await core.close()
    }
  }
}

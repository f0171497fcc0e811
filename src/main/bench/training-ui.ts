import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Api, RunEvent } from '../../shared/contract'
import { directApi } from '../cli/direct-api'
import { createCore } from '../services'
import { importAndWait, writePatternPngs } from './bench-data'

const PER_CLASS = 60
const SIZE = 128

async function importAndSplit(api: Api, root: string): Promise<number> {
  const id = await importAndWait(api, root)
  await api.datasets.split({ datasetId: id, val: 0.2, test: 0.2, seed: 1, groupBy: { kind: 'none' } })
  return id
}

const round = (v: number, d = 2) => Number(v.toFixed(d))

/**
 * Training UI backend figures on this machine (3 classes × 60 PNGs of 128 px, nsfwjs backbone at 224 px):
 * - checkBackbone (nsfwjs loaded in an engine process), seconds;
 * - the first estimate of the seed recipe (engine start + embedding, head and stage-2 calibration), seconds,
 *   its total and stage-2 parts, and a second (cached) estimate in ms;
 * - the estimate of the "Quick CPU" preset against the real run's wall time (engine start to completed);
 * - exporting the HTML report: ms and bytes.
 */
export async function benchTrainingUi(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-trui-'))
  const core = createCore(path.join(root, 'ws'), 'cli')
  const api = directApi(core)
  const events: RunEvent[] = []
  api.training.onRunEvent((e) => events.push(e))
  try {
    await writePatternPngs(path.join(root, 'data'), {
      patterns: ['disc', 'stripes', 'checks'],
      perClass: PER_CLASS,
      size: SIZE,
      stripe: 8
    })
    const datasetId = await importAndSplit(api, path.join(root, 'data'))

    let t = performance.now()
    const check = await api.training.checkBackbone({ kind: 'nsfwjs' })
    const checkSeconds = (performance.now() - t) / 1000

    t = performance.now()
    const seed = await api.training.estimate({ datasetId, config: {} })
    const coldSeconds = (performance.now() - t) / 1000
    t = performance.now()
    await api.training.estimate({ datasetId, config: { stage1: { epochs: 5 } } })
    const cachedMs = performance.now() - t

    const quickConfig = { stage1: { mode: 'embeddings' as const }, stage2: { enabled: false } }
    const quick = await api.training.estimate({ datasetId, config: quickConfig })
    t = performance.now()
    const run = await api.training.startRun({ datasetId, name: 'bench quick', config: quickConfig })
    await new Promise<void>((resolve) => {
      const poll = () =>
        events.some((e) => e.runId === run.id && e.type === 'status' && e.status !== 'running')
          ? resolve()
          : setTimeout(poll, 100)
      poll()
    })
    const actualSeconds = (performance.now() - t) / 1000
    const detail = await api.training.getRun({ runId: run.id })

    t = performance.now()
    const report = await api.training.exportReport({ runId: run.id })
    const reportMs = performance.now() - t

    const part = (e: typeof seed, p: string) => round(e.perStage.find((x) => x.part === p)?.seconds ?? 0, 1)
    return {
      images: PER_CLASS * 3,
      backend: seed.backend,
      checkBackboneNsfwjsSeconds: round(checkSeconds),
      checkBackboneLoadSeconds: round(check.loadSeconds),
      seedEstimateColdSeconds: round(coldSeconds, 1),
      seedEstimateCachedMs: round(cachedMs, 1),
      seedEstimateTotalSeconds: round(seed.seconds, 0),
      seedEstimateStage2Seconds: part(seed, 'stage2'),
      seedStage2Backend: seed.perStage.find((p) => p.part === 'stage2')?.backend ?? 'none',
      embedImagesPerSecond224: round(seed.calibration.embedImagesPerSecond, 1),
      forwardImagesPerSecond224: round(seed.calibration.forwardImagesPerSecond, 1),
      stage2TrainImagesPerSecond224: round(seed.calibration.stage2?.trainImagesPerSecond ?? 0, 3),
      headSamplesPerSecond: round(seed.calibration.headSamplesPerSecond, 0),
      quickRunStatus: detail.status,
      quickEstimateSeconds: round(quick.seconds, 1),
      quickActualWallSeconds: round(actualSeconds, 1),
      quickEpochsRun: detail.epochs.length,
      reportExportMs: round(reportMs, 1),
      reportBytes: report.bytes
    }
  } finally {
    core.close()
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Api, StudyEvent } from '../../shared/contract'
import { directApi } from '../cli/direct-api'
import { createCore } from '../services'
import { importAndWait, writePatternPngs } from './bench-data'

const PER_CLASS = 500
const SIZE = 64

async function study(api: Api, events: StudyEvent[], start: () => Promise<{ id: number }>): Promise<number> {
  const { id } = await start()
  await new Promise<void>((resolve) => {
    const poll = () => (events.some((e) => e.studyId === id && e.type === 'status') ? resolve() : setTimeout(poll, 100))
    poll()
  })
  const s = await api.evidence.getStudy({ studyId: id })
  if (s.status !== 'completed') throw new Error(`study ${id} ${s.status}: ${s.error}`)
  return id
}

/**
 * 5-fold cross-validation of stage 1 on 1,000 images whose embeddings are cached (target ≤ 60 s): the seed
 * recipe's stage 1 (nsfwjs at 224, 20 head epochs with its early stopping) on cached embeddings, stage 2 off,
 * each fold a real run in its own engine process. A first 2-fold study of one epoch fills the embedding cache
 * and is timed separately.
 */
export async function benchCrossValidation(): Promise<Record<string, number | string>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-cv-'))
  const core = createCore(path.join(root, 'ws'), 'cli')
  const api = directApi(core)
  const events: StudyEvent[] = []
  api.evidence.onStudyEvent((e) => events.push(e))
  try {
    // 1,000 grey 64×64 PNGs of two classes (a disc or 4 px stripes, with per-file noise).
    await writePatternPngs(path.join(root, 'data'), {
      patterns: ['disc', 'stripes'],
      perClass: PER_CLASS,
      size: SIZE,
      stripe: 4
    })
    const datasetId = await importAndWait(api, path.join(root, 'data'))
    const config = { stage1: { mode: 'embeddings' as const }, stage2: { enabled: false } }
    let t = performance.now()
    await study(api, events, () =>
      api.evidence.startStudy({
        datasetId,
        folds: 2,
        groupBy: { kind: 'none' },
        seed: 0,
        config: { ...config, stage1: { ...config.stage1, epochs: 1 } }
      })
    )
    const warmSeconds = (performance.now() - t) / 1000
    t = performance.now()
    const id = await study(api, events, () =>
      api.evidence.startStudy({ datasetId, folds: 5, groupBy: { kind: 'none' }, seed: 0, config })
    )
    const cvSeconds = (performance.now() - t) / 1000
    const s = await api.evidence.getStudy({ studyId: id })
    const runs = await Promise.all(s.runIds.map((runId) => api.training.getRun({ runId: runId! })))
    if (cvSeconds > 60)
      throw new Error(`5-fold CV of stage 1 on 1000 cached images took ${cvSeconds.toFixed(1)} s (target ≤ 60 s)`)
    return {
      images: PER_CLASS * 2,
      backend: runs[0].backend ?? 'unknown',
      cacheFillTwoFoldOneEpochSeconds: Math.round(warmSeconds * 10) / 10,
      fiveFoldStage1CachedSeconds: Math.round(cvSeconds * 10) / 10,
      epochsPerFold: runs.map((r) => r.epochs.length).join(','),
      accuracyMeanSd: `${s.metrics!.accuracy.mean.toFixed(3)} ± ${s.metrics!.accuracy.sd.toFixed(3)}`
    }
  } finally {
    await core.close()
    fs.rmSync(root, { recursive: true, force: true })
  }
}

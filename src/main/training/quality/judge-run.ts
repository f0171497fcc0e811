import fs from 'node:fs'
import path from 'node:path'
import type { LearningVerdict } from '../../../shared/contract'
import { atomicWrite } from '../../fs/atomic-write'
import { MODEL_CARD, type ModelCard } from '../job/model-artifact'
import type { RunStore } from '../runs/run-store'
import { learningVerdict } from './learning-verdict'

/**
 * Judges a run that has just ended (host side, once its epochs and evaluation are stored), stores the verdict
 * with the run and writes it into the model card, so a model folder used outside this workspace still carries
 * its warning. Returns the verdict, or null for a run with no epochs.
 */
export function judgeRun(store: RunStore, runId: number): LearningVerdict | null {
  const run = store.detail(runId)
  if (run.epochs.length === 0) return null
  const verdict = learningVerdict(run.epochs, run.evaluation, run.classNames.length)
  store.setVerdict(runId, verdict)
  if (run.modelDir) annotateModelCard(run.modelDir, verdict, run.evaluation?.split ?? null)
  return verdict
}

/** Adds the verdict and the evaluation's split to a model folder's card; a folder without a card is left alone. */
export function annotateModelCard(modelDir: string, verdict: LearningVerdict, split: 'test' | 'val' | null): void {
  const file = path.join(modelDir, MODEL_CARD)
  if (!fs.existsSync(file)) return
  const card = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelCard
  card.learning = verdict
  card.metrics = { ...card.metrics, evaluationSplit: split }
  atomicWrite(file, JSON.stringify(card, null, 2))
}

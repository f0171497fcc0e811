import fs from 'node:fs'
import path from 'node:path'
import type { ExportedModel, RunDetail } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import type { EngineConfig } from '../engine/engine-config'
import { runInEngine } from '../engine/engine-host'
import { ONNX_MODEL_FILE } from '../onnx/model-onnx-file'
import { MODEL_CARD, readModelCard } from '../training/job/model-artifact'
import { exportOnnxJob } from './export-onnx-job'

/** The files of a tfjs model folder that an export copies. */
const TFJS_FILES = ['model.json', 'weights.bin', MODEL_CARD] as const

/**
 * Copies a run's saved model out of the workspace: as `model.onnx` (image in, class probabilities out;
 * built in an engine process from the saved tfjs weights first if the run predates ONNX export), or as the
 * tfjs folder (model.json, weights.bin, neuropath.json). `dest` must not exist; default
 * `<exportsDir>/run-<id>-model.onnx` or `<exportsDir>/run-<id>-model-tfjs`.
 * @throws AppError NOT_FOUND when the run saved no model, CONFLICT when `dest` exists.
 */
export async function exportRunModel(
  run: RunDetail,
  req: { format: 'onnx' | 'tfjs'; dest?: string },
  exportsDir: string,
  engine: EngineConfig
): Promise<ExportedModel> {
  const modelDir = run.modelDir
  if (!modelDir || !fs.existsSync(path.join(modelDir, MODEL_CARD))) {
    throw new AppError('NOT_FOUND', `run ${run.id} (${run.status}) has no saved model to export`)
  }
  const dest = path.resolve(
    req.dest ?? path.join(exportsDir, req.format === 'onnx' ? `run-${run.id}-model.onnx` : `run-${run.id}-model-tfjs`)
  )
  if (fs.existsSync(dest)) throw new AppError('CONFLICT', `${dest} already exists; choose another destination`)
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  if (req.format === 'onnx') {
    const file = path.join(modelDir, ONNX_MODEL_FILE)
    let card = readModelCard(modelDir)
    if (!fs.existsSync(file) || !card.onnx) {
      await runInEngine({ ...engine, job: exportOnnxJob, params: { modelDir }, onEvent: () => undefined })
      card = readModelCard(modelDir)
    }
    fs.copyFileSync(file, dest, fs.constants.COPYFILE_EXCL)
    return {
      runId: run.id,
      format: 'onnx',
      path: dest,
      bytes: fs.statSync(dest).size,
      preprocessing: card.onnx?.preprocessing ?? null
    }
  }
  fs.mkdirSync(dest)
  let bytes = 0
  // A run on an ONNX encoder: model.json is the head, and the folder classifies only with its encoder.
  const encoder = readModelCard(modelDir).encoder
  if (encoder) fs.mkdirSync(path.join(dest, path.dirname(encoder.file)), { recursive: true })
  for (const name of [...TFJS_FILES, ...(encoder ? [encoder.file] : [])]) {
    fs.copyFileSync(path.join(modelDir, name), path.join(dest, name), fs.constants.COPYFILE_EXCL)
    bytes += fs.statSync(path.join(dest, name)).size
  }
  return { runId: run.id, format: 'tfjs', path: dest, bytes, preprocessing: null }
}

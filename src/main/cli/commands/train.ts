import fs from 'node:fs'
import type { TrainingConfigInput } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { followRun } from '../follow-run'
import { UsageError } from '../output'

/** `--backbone nsfwjs|random|PATH`: a .h5 file is Keras weights, anything else a tfjs model folder. */
function backboneFlag(v: string | undefined): TrainingConfigInput['backbone'] | undefined {
  if (!v) return undefined
  if (v === 'nsfwjs' || v === 'random') return { kind: v }
  // Said plainly rather than mistaken for a tfjs folder: ONNX encoders run for embeddings, not yet for runs.
  if (v.startsWith('onnx:') || v.toLowerCase().endsWith('.onnx'))
    throw new UsageError(
      `--backbone ${v}: training on your own ONNX encoder is not available yet; \`neuropath backbones check FILE.onnx\` checks and imports it`
    )
  if (!fs.existsSync(v))
    throw new UsageError(`--backbone ${v}: no such file or folder (use nsfwjs, random, a .h5 file or a tfjs folder)`)
  return v.toLowerCase().endsWith('.h5') ? { kind: 'keras-h5', path: v } : { kind: 'tfjs-dir', path: v }
}

export function readConfigFile(file: string | undefined): TrainingConfigInput {
  if (!file) return {}
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as TrainingConfigInput
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`)
  }
}

export const trainCommand = {
  name: 'train',
  summary:
    'train a classifier on a split dataset (two stages, callbacks, evaluation on the test split, or validation when there is none)',
  usage:
    'neuropath train --dataset NAME [--config FILE.json] [--backbone nsfwjs|random|PATH] [--epochs1 N] [--epochs2 N] [--input-size N] [--seed N] [--name NAME] [--json]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      config: { type: 'string' },
      backbone: { type: 'string' },
      epochs1: { type: 'string' },
      epochs2: { type: 'string' },
      'input-size': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const config = readConfigFile(values.config)
    const int = (n: number) => Number.isInteger(n) && n >= 0
    const backbone = backboneFlag(values.backbone)
    if (backbone) config.backbone = backbone
    if (values.epochs1 !== undefined)
      config.stage1 = { ...config.stage1, epochs: numberFlag('epochs1', values.epochs1, 20, int) }
    if (values.epochs2 !== undefined)
      config.stage2 = { ...config.stage2, epochs: numberFlag('epochs2', values.epochs2, 30, int) }
    if (values['input-size'] !== undefined) config.inputSize = numberFlag('input-size', values['input-size'], 224, int)
    if (values.seed !== undefined) config.seed = numberFlag('seed', values.seed, 42, int)

    const core = openCore(values.workspace)
    const api = directApi(core)
    try {
      const dataset = await datasetByName(api, values.dataset)
      const run = await api.training.startRun({ datasetId: dataset.id, name: values.name, config })
      out.info(
        `run ${run.id} "${run.name}" started on dataset "${dataset.name}" (Ctrl-C stops it and keeps the best checkpoint)`
      )
      return await followRun(api, run, out)
    } finally {
      core.close()
    }
  }
}

import fs from 'node:fs'
import type { TrainingConfigInput } from '../../../shared/contract'
import { datasetByName, directApi } from '../direct-api'
import { numberFlag, parseCommandArgs } from '../args'
import type { CommandContext } from '../command'
import { followRun } from '../follow-run'
import { UsageError } from '../output'
import { readDeclaration } from '../../training/runs/encoder-library'

/** `--backbone nsfwjs|random|PATH`: a .h5 file is Keras weights, anything else a tfjs model folder (onnx:PATH apart). */
function backboneFlag(v: string | undefined): TrainingConfigInput['backbone'] | undefined {
  if (!v) return undefined
  if (v === 'nsfwjs' || v === 'random') return { kind: v }
  if (v.toLowerCase().endsWith('.onnx')) throw new UsageError(`--backbone ${v}: an ONNX encoder is given as onnx:${v}`)
  if (!fs.existsSync(v))
    throw new UsageError(`--backbone ${v}: no such file or folder (use nsfwjs, random, a .h5 file or a tfjs folder)`)
  return v.toLowerCase().endsWith('.h5') ? { kind: 'keras-h5', path: v } : { kind: 'tfjs-dir', path: v }
}

/**
 * `--backbone onnx:PATH [--backbone-config FILE]`: checks the encoder in an engine process and imports it
 * (or reuses the copy with the same SHA-256), then points the config at it: its resolved declaration, its
 * input size unless the config sets one (a different one is refused by validation), and stage 2 off unless
 * the config asks for it (validation then refuses it with the reason).
 */
async function useOnnxEncoder(
  api: ReturnType<typeof directApi>,
  file: string,
  declarationFile: string | undefined,
  config: TrainingConfigInput,
  out: CommandContext['out']
): Promise<void> {
  if (!fs.existsSync(file)) throw new UsageError(`--backbone onnx:${file}: no such file`)
  const check = await api.training.checkEncoder({ path: file, declaration: readDeclaration(file, declarationFile) })
  if (check.degenerate)
    throw new UsageError(`--backbone onnx:${file}: the encoder's output is unusable: ${check.degenerate}`)
  config.backbone = { kind: 'onnx-encoder', sha256: check.sha256, declaration: check.declaration }
  config.inputSize ??= check.declaration.inputSize
  if (config.stage2?.enabled === undefined && config.stage2?.epochs === undefined) {
    config.stage2 = { ...config.stage2, enabled: false }
    out.info('stage 2 is off: it fine-tunes MobileNetV2, and an ONNX encoder stays frozen')
  }
  out.info(
    `encoder ${check.fileName} (sha256 ${check.sha256.slice(0, 12)}…): ${check.embeddingWidth} features, ${check.declaration.layout} ${check.declaration.inputSize} px, ${check.imagesPerSecond.toFixed(0)} img/s on ${check.engine}`
  )
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
    'neuropath train --dataset NAME [--config FILE.json] [--backbone nsfwjs|random|PATH|onnx:FILE.onnx [--backbone-config FILE.json]] [--epochs1 N] [--epochs2 N] [--input-size N] [--seed N] [--name NAME] [--json]',
  async run(argv: string[], { openCore, out }: CommandContext): Promise<number> {
    const { values } = parseCommandArgs(argv, {
      dataset: { type: 'string' },
      config: { type: 'string' },
      backbone: { type: 'string' },
      'backbone-config': { type: 'string' },
      epochs1: { type: 'string' },
      epochs2: { type: 'string' },
      'input-size': { type: 'string' },
      seed: { type: 'string' },
      name: { type: 'string' }
    })
    if (!values.dataset) throw new UsageError('missing --dataset NAME')
    const config = readConfigFile(values.config)
    const int = (n: number) => Number.isInteger(n) && n >= 0
    const encoderFile = values.backbone?.startsWith('onnx:') ? values.backbone.slice('onnx:'.length) : null
    if (values['backbone-config'] && !encoderFile)
      throw new UsageError('--backbone-config goes with --backbone onnx:PATH (the declaration of an ONNX encoder)')
    const backbone = encoderFile === null ? backboneFlag(values.backbone) : undefined
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
      if (encoderFile !== null) await useOnnxEncoder(api, encoderFile, values['backbone-config'], config, out)
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

import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../../shared/errors'
import type { OnnxEncoderInfo } from '../../training/backbone/encoder-start'
import type { ModelCard, ModelEncoder } from '../../training/job/model-artifact'
import { openBackboneRuntime } from '../backbone-runtime'
import type { OnnxEncoderRuntime, OnnxEncoderSource } from './encoder-runtime'

/** Folder of the encoder inside a model folder. */
const ENCODER_DIR = 'encoder'

/**
 * Puts the encoder a run trained on into its model folder `dir` as encoder/<file name>: a hard link to the
 * workspace copy (no extra disk space, and it survives `backbones remove`), or a copy where the two sit on
 * different file systems. Returns the card's `encoder` entry and a log line saying which it was.
 */
export function encoderModelFiles(
  dir: string,
  info: OnnxEncoderInfo,
  featureDim: number
): { encoder: ModelEncoder; log: string } {
  const rel = path.join(ENCODER_DIR, info.fileName)
  const target = path.join(dir, rel)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  fs.rmSync(target, { force: true })
  let how: string
  try {
    fs.linkSync(info.path, target)
    how = 'hard-linked'
  } catch {
    try {
      fs.copyFileSync(info.path, target)
      how = 'copied'
    } catch (err) {
      throw new AppError('IO', `cannot put the encoder ${info.path} into the model folder: ${(err as Error).message}`)
    }
  }
  const bytes = fs.statSync(target).size
  return {
    encoder: {
      fileName: info.fileName,
      sha256: info.sha256,
      bytes,
      declaration: info.declaration,
      featureDim,
      file: rel.split(path.sep).join('/')
    },
    log: `encoder ${info.fileName} ${how} into the model folder (${rel}, ${(bytes / 1e6).toFixed(1)} MB)`
  }
}

/**
 * Opens the encoder of a model folder in the backbone runtime (pooled embeddings out, or the NHWC spatial map
 * for Grad-CAM) and checks it is the
 * file the card names: a swapped or damaged encoder would classify with the wrong features.
 * @throws AppError NOT_FOUND when the file is missing, CORRUPT when its SHA-256 differs.
 */
export async function openModelEncoder(
  dir: string,
  card: ModelCard,
  output: 'embedding' | 'featureMap' = 'embedding'
): Promise<OnnxEncoderRuntime> {
  const e = card.encoder
  if (!e) throw new AppError('INVALID_ARGUMENT', `model ${dir} has no ONNX encoder`)
  const file = path.join(dir, ...e.file.split('/'))
  if (!fs.existsSync(file))
    throw new AppError('NOT_FOUND', `model ${dir}: its encoder ${e.file} is missing; the model folder is incomplete`)
  const source: OnnxEncoderSource = { kind: 'onnx-encoder', path: file, declaration: e.declaration }
  const rt = (await openBackboneRuntime(source, { outputs: [output] })) as OnnxEncoderRuntime
  if (rt.sha256 !== e.sha256 || rt.featureDim !== e.featureDim) {
    await rt.close()
    throw new AppError(
      'CORRUPT',
      `model ${dir}: ${e.file} (SHA-256 ${rt.sha256.slice(0, 12)}…, ${rt.featureDim} features) is not the encoder the model was trained on (${e.sha256.slice(0, 12)}…, ${e.featureDim} features)`
    )
  }
  return rt
}

import { createHash } from 'node:crypto'
import path from 'node:path'
import type { OnnxEncoderDeclaration } from '../../../shared/contract/onnx-encoder'
import { AppError } from '../../../shared/errors'
import { openBackboneRuntime } from '../../backbone-runtime/backbone-runtime'
import { declarationKey } from '../../backbone-runtime/onnx-encoder/declaration'
import type { OnnxEncoderRuntime, OnnxEncoderSource } from '../../backbone-runtime/onnx-encoder/encoder-runtime'
import { assertPreprocessSpec, makePreprocessSpec, type PreprocessSpec } from '../preprocess/spec'
import type { ExtractorInfo } from './embedding-extractor'

/** Provenance of an ONNX encoder, as extractors, run records and model cards name it. */
export interface OnnxEncoderInfo {
  kind: 'onnx-encoder'
  /** e.g. 'ONNX encoder vit_small.onnx (sha256 1a2b3c4d…)'. */
  description: string
  fileName: string
  path: string
  /** SHA-256 (hex) of the file. */
  sha256: string
  declaration: OnnxEncoderDeclaration
  /** The app feeds [0, 1] pixels; the declaration's normalisation is applied inside the runtime. */
  inputScaling: '[0,1]'
}

/**
 * The cache identity of an encoder: its bytes' SHA-256 and the resolved declaration, so two encoders, or one
 * encoder read two ways (other normalisation, other output or pooling), never share embeddings.
 */
export function encoderBackboneId(sha256: string, d: OnnxEncoderDeclaration): string {
  return createHash('sha256')
    .update(`onnx-encoder\n${sha256}\n${declarationKey(d)}`)
    .digest('hex')
}

/**
 * Opens an ONNX encoder for an EmbeddingExtractor: the runtime, and the extractor's info. The app's
 * preprocessing must produce [0, 1] pixels at the encoder's input size (the declaration's normalisation is
 * applied on top of that); anything else rejects with INVALID_ARGUMENT.
 */
export async function encoderStart(
  src: OnnxEncoderSource,
  given?: PreprocessSpec
): Promise<{ runtime: OnnxEncoderRuntime; info: ExtractorInfo }> {
  const runtime = (await openBackboneRuntime(src, { outputs: ['embedding'] })) as OnnxEncoderRuntime
  const d = runtime.declaration
  const preprocess = assertPreprocessSpec(given ?? makePreprocessSpec(d.inputSize, '[0,1]'))
  if (preprocess.inputSize !== d.inputSize || preprocess.scaling !== '[0,1]') {
    await runtime.close()
    throw new AppError(
      'INVALID_ARGUMENT',
      `onnx encoder ${path.basename(src.path)}: preprocessing makes ${preprocess.inputSize} px ${preprocess.scaling} inputs ` +
        `but the encoder is declared for ${d.inputSize} px, fed [0,1] pixels (its normalisation is applied after)`
    )
  }
  const fileName = path.basename(src.path)
  const source: OnnxEncoderInfo = {
    kind: 'onnx-encoder',
    description: `ONNX encoder ${fileName} (sha256 ${runtime.sha256.slice(0, 12)}…, ${d.layout} ${d.channelOrder} ${d.inputSize} px, output "${d.output}" pooled by ${d.pooling})`,
    fileName,
    path: src.path,
    sha256: runtime.sha256,
    declaration: d,
    inputScaling: '[0,1]'
  }
  return {
    runtime,
    info: {
      source,
      preprocess,
      featureDim: runtime.featureDim,
      backboneId: encoderBackboneId(runtime.sha256, d),
      engine: runtime.engine,
      backend: runtime.backend
    }
  }
}

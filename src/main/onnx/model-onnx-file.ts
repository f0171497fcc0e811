import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { onnx } from 'onnx-proto'
import { AppError } from '../../shared/errors'
import type * as tf from '@tensorflow/tfjs'
import { atomicWrite } from '../fs/atomic-write'
import { MODEL_CARD, type ModelCard } from '../training/job/model-artifact'
import type { PreprocessSpec } from '../training/preprocess/spec'
import { classifierToOnnx, PROBABILITIES } from './classifier-to-onnx'
import { encoderClassifierToOnnx } from './encoder-classifier-to-onnx'
import { OPSET } from './graph-builder'
import { BACKBONE_IO } from './plan-to-onnx'

/** File name of the ONNX classifier inside a model folder, beside model.json. */
export const ONNX_MODEL_FILE = 'model.onnx'

/** What neuropath.json says about model.onnx (its `onnx` field): how to feed it and read it. */
export interface OnnxModelInfo {
  file: typeof ONNX_MODEL_FILE
  opset: number
  /** Graph input: NHWC float32 `[batch, inputSize, inputSize, 3]`, preprocessed as `preprocessing` says. */
  input: { name: string; layout: 'NHWC'; dtype: 'float32'; shape: ['batch', number, number, 3] }
  /** Graph output: softmax probabilities `[batch, K]`, column i = classNames[i]. */
  output: { name: string; dtype: 'float32'; shape: ['batch', number]; classNames: string[] }
  /** The exact preprocessing, in words (the structured form is the card's `preprocessing`). */
  preprocessing: string
  /** SHA-256 (hex) of model.onnx. */
  sha256: string
  bytes: number
}

/**
 * The preprocessing chain of a PreprocessSpec in words, precise enough to reimplement outside the app
 * (DICOM tags named): what every model.onnx input must have gone through.
 */
export function describePreprocessing(spec: PreprocessSpec): string {
  const s = spec.inputSize
  const scale = spec.scaling === '[0,1]' ? 'v / 255 (range [0, 1])' : 'v / 127.5 − 1 (range [−1, 1])'
  return [
    '1. Decode the image: DICOM pixel data with the Modality LUT applied (Rescale Slope (0028,1053), Rescale',
    '   Intercept (0028,1052)); PNG; JPEG. Multi-frame DICOM: each frame is one image.',
    '2. Render to 8 bits v in 0..255 (rounded). Grey DICOM: the first VOI window, Window Center (0028,1050) /',
    '   Window Width (0028,1051), with the VOI LUT Function (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID',
    '   (PS3.3 C.11.2.1.2); a file without a window gets the 1st–99th percentile of its modality values (min–max',
    '   when that band is empty). MONOCHROME1 (0028,0004) is inverted (255 − v). 8-bit PNG/JPEG and RGB pass',
    '   through; 16-bit grey PNG gets the 1st–99th percentile window; alpha is flattened onto black.',
    `3. Resize to ${s} × ${s} pixels with bilinear interpolation (libvips "linear" kernel, which low-pass filters`,
    '   when shrinking); the aspect ratio is not kept.',
    '4. Grey images: replicate the one channel to R, G and B; colour images keep RGB.',
    `5. Scale every value: ${scale}.`,
    `6. Lay out as float32 NHWC [batch, ${s}, ${s}, 3], rows top to bottom, channels R, G, B.`
  ].join('\n')
}

/** The metadata_props every model.onnx carries: how to feed it, how to read it, what it was trained on. */
function onnxMetadata(card: ModelCard): Record<string, string> {
  const s = card.preprocessing.inputSize
  const k = card.classNames.length
  return {
    'neuropath.format': 'neuropath-classifier',
    'neuropath.input': `${BACKBONE_IO.input}: float32 NHWC [batch, ${s}, ${s}, 3]`,
    'neuropath.output': `${PROBABILITIES}: float32 [batch, ${k}], softmax; column i is class_names[i]`,
    'neuropath.class_names': JSON.stringify(card.classNames),
    'neuropath.preprocessing': describePreprocessing(card.preprocessing),
    'neuropath.preprocessing_spec': JSON.stringify(card.preprocessing),
    'neuropath.backbone': card.backbone.description,
    ...(card.encoder
      ? {
          'neuropath.encoder': JSON.stringify({
            fileName: card.encoder.fileName,
            sha256: card.encoder.sha256,
            declaration: card.encoder.declaration
          })
        }
      : {})
  }
}

/** Writes the model.onnx bytes into `dir` and records them in neuropath.json (`card.onnx`). */
function recordModelOnnx(dir: string, card: ModelCard, bytes: Uint8Array, opset = OPSET): OnnxModelInfo {
  const s = card.preprocessing.inputSize
  const k = card.classNames.length
  atomicWrite(path.join(dir, ONNX_MODEL_FILE), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  const info: OnnxModelInfo = {
    file: ONNX_MODEL_FILE,
    opset,
    input: { name: BACKBONE_IO.input, layout: 'NHWC', dtype: 'float32', shape: ['batch', s, s, 3] },
    output: { name: PROBABILITIES, dtype: 'float32', shape: ['batch', k], classNames: card.classNames },
    preprocessing: describePreprocessing(card.preprocessing),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength
  }
  atomicWrite(path.join(dir, MODEL_CARD), JSON.stringify({ ...card, onnx: info }, null, 2))
  return info
}

/**
 * Writes `model.onnx` into the model folder `dir` from the trained LayersModel `model` (its current weights,
 * fine-tuned layers included) and records it in neuropath.json (`card.onnx`); the preprocessing and the
 * class names also go into the ONNX metadata_props. Returns what it recorded.
 */
export function writeModelOnnx(dir: string, model: tf.LayersModel, card: ModelCard): OnnxModelInfo {
  return recordModelOnnx(dir, card, classifierToOnnx(model, card.featureLayer, onnxMetadata(card), `model ${dir}`))
}

/**
 * writeModelOnnx for a run on an ONNX encoder (card.encoder): model.onnx is the encoder from the model folder
 * with the declaration's normalisation, its pooling and the trained `head` in one graph
 * (encoder-classifier-to-onnx.ts). Its opset is the encoder's.
 */
export function writeEncoderModelOnnx(dir: string, head: tf.LayersModel, card: ModelCard): OnnxModelInfo {
  const e = card.encoder
  if (!e) throw new AppError('INVALID_ARGUMENT', `model ${dir} has no ONNX encoder`)
  const bytes = encoderClassifierToOnnx(
    fs.readFileSync(path.join(dir, ...e.file.split('/'))),
    e.declaration,
    head,
    onnxMetadata(card),
    `model ${dir}`
  )
  return recordModelOnnx(dir, card, bytes, encoderOpset(bytes))
}

/** The default-domain opset of a composed model (the encoder's, which may differ from OPSET). */
function encoderOpset(bytes: Uint8Array): number {
  const v = onnx.ModelProto.decode(bytes).opsetImport.find((o) => !o.domain)?.version
  return typeof v === 'object' && v !== null ? v.toNumber() : Number(v ?? OPSET)
}

/**
 * A model.onnx writer for the end of a training run: never throws (a backbone the export does not cover must
 * not fail a run whose tfjs model is saved); returns the log line saying what was written or why not.
 */
export function onnxExportLine(dir: string, write: () => OnnxModelInfo): string {
  try {
    const info = write()
    return `ONNX model written: ${path.join(dir, info.file)} (${(info.bytes / 1e6).toFixed(1)} MB, input "${info.input.name}" NHWC [batch, ${info.input.shape[1]}, ${info.input.shape[2]}, 3], output "${info.output.name}")`
  } catch (err) {
    return `no ONNX model written: ${(err as Error).message}`
  }
}

/** writeModelOnnx at the end of a MobileNetV2 run (see onnxExportLine). */
export function exportOnnxBeside(dir: string, model: tf.LayersModel, card: ModelCard): string {
  return onnxExportLine(dir, () => writeModelOnnx(dir, model, card))
}

import { AppError } from '../../../shared/errors'
import type { InputScaling } from '../backbone/types'

/**
 * The preprocessing chain stored with a trained model and reused unchanged at inference: decodeImage →
 * renderWindowed to 8 bits (DICOM: default VOI window (0028,1050)/(0028,1051), MONOCHROME1 inverted;
 * 8-bit PNG/JPEG unchanged; 16-bit grey PNG: the imaging core's derived window; alpha flattened onto black)
 * → bilinear resize to inputSize × inputSize (aspect ratio not kept) → grey replicated to 3 channels →
 * scaling. Output is HWC float32.
 */
export interface PreprocessSpec {
  /** Height = width of the model input, pixels. */
  inputSize: number
  channels: 3
  /** Bilinear interpolation (libvips 'linear' kernel, which also low-pass filters when shrinking). */
  resize: 'bilinear'
  /** '[-1,1]': v/127.5 − 1; '[0,1]': v/255, with v the 8-bit rendered value. Must match the backbone. */
  scaling: InputScaling
  /** DICOM windowing: the file's first VOI window (or the decoder's derived one when the file has none). */
  window: 'dicom-default'
}

/** The standard chain at `inputSize` with the backbone's scaling. */
export function makePreprocessSpec(inputSize: number, scaling: InputScaling): PreprocessSpec {
  return assertPreprocessSpec({ inputSize, channels: 3, resize: 'bilinear', scaling, window: 'dicom-default' })
}

/** Returns `spec` when it is a valid PreprocessSpec, else throws INVALID_ARGUMENT naming the bad field. */
export function assertPreprocessSpec(spec: PreprocessSpec): PreprocessSpec {
  const bad = (field: string, value: unknown): never => {
    throw new AppError('INVALID_ARGUMENT', `preprocessing spec: ${field} ${JSON.stringify(value)} is not supported`)
  }
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 8 || spec.inputSize > 1024) bad('inputSize', spec.inputSize)
  if (spec.channels !== 3) bad('channels', spec.channels)
  if (spec.resize !== 'bilinear') bad('resize', spec.resize)
  if (spec.scaling !== '[-1,1]' && spec.scaling !== '[0,1]') bad('scaling', spec.scaling)
  if (spec.window !== 'dicom-default') bad('window', spec.window)
  return spec
}

/** Canonical text of a spec (fixed key order), for cache keys and equality checks. */
export function preprocessSpecKey(spec: PreprocessSpec): string {
  const { inputSize, channels, resize, scaling, window } = spec
  return JSON.stringify({ inputSize, channels, resize, scaling, window })
}

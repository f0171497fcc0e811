import { AppError } from '../../../shared/errors'
import { loadKerasH5Backbone } from './keras-h5-source'
import { loadNsfwjsBackbone } from './nsfwjs-source'
import { loadRandomBackbone } from './random-source'
import { loadTfjsDirBackbone } from './tfjs-dir-source'
import type { BackboneSpec, LoadedBackbone } from './types'

/**
 * Loads the backbone a spec names, on the active tfjs backend: the model maps `[batch, s, s, 3]` pixels
 * (scaled as `source.inputScaling` says) to the `out_relu` feature map `[batch, ⌈s/32⌉, ⌈s/32⌉, 1280]`.
 * The caller owns the model and must dispose it.
 */
export async function loadBackbone(spec: BackboneSpec): Promise<LoadedBackbone> {
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 32) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `backbone ${spec.kind}: inputSize must be an integer ≥ 32 px, got ${spec.inputSize}`
    )
  }
  const needPath = (): string => {
    if (!spec.path) throw new AppError('INVALID_ARGUMENT', `backbone ${spec.kind}: a path is required`)
    return spec.path
  }
  switch (spec.kind) {
    case 'nsfwjs':
      return loadNsfwjsBackbone(spec.inputSize)
    case 'keras-h5':
      return loadKerasH5Backbone(needPath(), spec.inputSize)
    case 'tfjs-dir':
      return loadTfjsDirBackbone(needPath(), spec.inputSize)
    case 'random':
      return loadRandomBackbone(spec.inputSize, spec.seed)
    default:
      throw new AppError('INVALID_ARGUMENT', `backbone: unknown kind "${String((spec as { kind: unknown }).kind)}"`)
  }
}

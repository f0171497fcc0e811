import { buildMobileNetV2 } from './mobilenet-v2'
import type { LoadedBackbone } from './types'

/**
 * A randomly initialised MobileNetV2 α=1.0 (Glorot-uniform kernels, BN at identity). Only for explicit
 * choice (tests, ablations): its features carry no pretrained knowledge. `seed` makes it reproducible.
 */
export function loadRandomBackbone(inputSize: number, seed?: number): LoadedBackbone {
  const model = buildMobileNetV2({ inputSize, includeTop: false, seed })
  const seeded = seed === undefined ? 'unseeded' : `seed ${seed}`
  return {
    model,
    source: {
      kind: 'random',
      description: `MobileNetV2 α=1.0 at ${inputSize} px with random Glorot-uniform weights (${seeded}), no pretraining`,
      inputScaling: '[-1,1]'
    }
  }
}

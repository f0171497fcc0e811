import type { BackboneCheck } from '../../../../shared/contract'
import { selectBackend } from '../../../compute/backend'
import { loadBackbone } from '../../backbone/load-backbone'
import { backboneFeatureDim } from '../../head/compose-model'
import type { CalibrateBackbone } from './job'

/** The recipe's input size: a backbone is checked as a run would load it by default. */
const CHECK_INPUT_SIZE = 224

/**
 * Loads a backbone exactly as a run would (same loader, same validation of the file) and describes what was
 * loaded. Throws the loader's AppError (NOT_FOUND, CORRUPT, UNSUPPORTED …), which names the file and reason.
 */
export async function checkBackbone(choice: CalibrateBackbone): Promise<BackboneCheck> {
  const backend = await selectBackend()
  const t0 = performance.now()
  const loaded = await loadBackbone({ kind: choice.kind, path: choice.path, inputSize: CHECK_INPUT_SIZE, seed: 1 })
  try {
    return {
      source: { ...loaded.source },
      featureDim: backboneFeatureDim(loaded.model),
      layers: loaded.model.layers.length,
      parameters: loaded.model.countParams(),
      loadSeconds: (performance.now() - t0) / 1000,
      backend: backend.active,
      // The host copies the weights into the workspace after the check (training-service, import-backbone.ts).
      importedPath: null
    }
  } finally {
    loaded.model.dispose()
  }
}

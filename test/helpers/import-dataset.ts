import type { Api, DatasetSummary } from '../../src/shared/contract'

/** Imports the folder `root` as dataset `name` through the API and resolves with the dataset once the import finished. */
export async function importDataset(api: Api, name: string, root: string): Promise<DatasetSummary> {
  const imp = await api.datasets.startImport({ dataset: name, root })
  await new Promise<void>((resolve) => {
    const off = api.datasets.onImportFinished((f) => {
      if (f.importId === imp.importId) {
        off()
        resolve()
      }
    })
  })
  const ds = (await api.datasets.list({})).find((d) => d.name === name)
  if (!ds) throw new Error(`dataset "${name}" is missing after its import`)
  return ds
}

/** A run that trains in seconds: random backbone at 32 px, small head, 2 epochs on embeddings, no stage 2. */
export const QUICK_RUN_CONFIG = {
  backbone: { kind: 'random' as const },
  inputSize: 32,
  head: { fc1Units: 16, fc2Units: 8 },
  batchSize: 8,
  stage1: { epochs: 2, mode: 'embeddings' as const },
  stage2: { enabled: false },
  augmentation: { enabled: false }
}

/** QUICK_RUN_CONFIG with stage 2 on: 1 epoch of each stage, the seed's top 30 layers unfrozen. */
export const TWO_STAGE_RUN_CONFIG = {
  ...QUICK_RUN_CONFIG,
  stage1: { epochs: 1, mode: 'embeddings' as const },
  stage2: { enabled: true, epochs: 1, unfreezeTopLayers: 30 }
}

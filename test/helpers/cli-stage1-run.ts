import fs from 'node:fs'
import path from 'node:path'
import type { RunResultJson } from '../../src/main/cli/follow-run'
import { cli } from '../unit/training-ui/fixtures'

/**
 * Trains a stage-1-only run of `dataset` through `neuropath train` on `workspace` (nsfwjs at 64 px, head on cached
 * embeddings, 15 epochs at 3e-3, no augmentation: seconds on the toy datasets, and it learns them) and returns the
 * CLI's result line. The config file is written into `dir`. Usable while `neuropath serve` holds the workspace.
 */
export function trainStage1WithCli(dataset: string, name: string, workspace: string, dir: string): RunResultJson {
  const config = path.join(dir, `${name.replace(/\W+/g, '-')}.json`)
  fs.writeFileSync(
    config,
    JSON.stringify({
      backbone: { kind: 'nsfwjs' },
      inputSize: 64,
      batchSize: 8,
      stage1: { epochs: 15, mode: 'embeddings', learningRate: 3e-3 },
      stage2: { enabled: false },
      augmentation: { enabled: false }
    })
  )
  return cli(['train', '--dataset', dataset, '--config', config, '--name', name], workspace) as RunResultJson
}

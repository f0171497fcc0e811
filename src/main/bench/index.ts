import { benchBackbone } from './backbone'
import { benchOnnxEncoder } from './onnx-encoder'
import { benchDatasets } from './datasets'
import { benchEvidence } from './evidence'
import { benchEmbeddingMap } from './embedding-map'
import { benchMapChromium } from './map-chromium'
import { benchCrossValidation } from './cross-validation'
import { benchFoundation } from './foundation'
import { benchHead } from './head'
import { benchImaging } from './imaging'
import { benchInference } from './inference'
import { benchSeedRecipe, benchStage2 } from './stage2'
import { benchViewer } from './viewer'
import { benchVolumes } from './volumes'
import { benchTraining } from './training'
import { benchTrainingUi } from './training-ui'
import { runBenches, type Bench } from './run-benches'

/**
 * `npm run bench`: runs every benchmark and prints one JSON object with the figures. Pass names to run a
 * subset (`npm run bench -- imaging`). Exits 1 when a bench fails.
 */
const BENCHES: Record<string, Bench> = {
  foundation: benchFoundation,
  imaging: benchImaging,
  volumes: benchVolumes,
  datasets: benchDatasets,
  head: benchHead,
  inference: benchInference,
  backbone: benchBackbone,
  'onnx-encoder': benchOnnxEncoder,
  viewer: benchViewer,
  training: benchTraining,
  stage2: benchStage2,
  'training-ui': benchTrainingUi,
  evidence: benchEvidence,
  'embedding-map': benchEmbeddingMap,
  'map-chromium': benchMapChromium,
  'cross-validation': benchCrossValidation
}

/** Benches that take minutes: they run only when named (`npm run bench -- seed-recipe`). */
const ON_REQUEST: Record<string, Bench> = { 'seed-recipe': benchSeedRecipe }

async function main(): Promise<number> {
  const only = process.argv.slice(2)
  const { exitCode, report } = await runBenches(only.length ? { ...BENCHES, ...ON_REQUEST } : BENCHES, only)
  process.stdout.write(JSON.stringify(report, null, 2) + '\n')
  if (exitCode !== 0) process.stderr.write('bench: at least one bench failed; its "error" is in the JSON above\n')
  return exitCode
}

void main().then((code) => process.exit(code))

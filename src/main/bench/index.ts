import os from 'node:os'
import { benchBackbone } from './backbone'
import { benchDatasets } from './datasets'
import { benchFoundation } from './foundation'
import { benchHead } from './head'
import { benchImaging } from './imaging'
import { benchInference } from './inference'
import { benchViewer } from './viewer'
import { benchTraining } from './training'
import { benchTrainingUi } from './training-ui'

/**
 * `npm run bench`: runs every benchmark and prints one JSON object with the figures. Pass names to run a
 * subset (`npm run bench -- imaging`).
 */
const BENCHES: Record<string, () => Promise<Record<string, number | string>>> = {
  foundation: benchFoundation,
  imaging: benchImaging,
  datasets: benchDatasets,
  head: benchHead,
  inference: benchInference,
  backbone: benchBackbone,
  viewer: benchViewer,
  training: benchTraining,
  'training-ui': benchTrainingUi
}

async function main(): Promise<void> {
  const only = process.argv.slice(2)
  const results: Record<string, unknown> = {}
  for (const [name, run] of Object.entries(BENCHES)) {
    if (only.length && !only.includes(name)) continue
    try {
      results[name] = await run()
    } catch (err) {
      results[name] = { error: (err as Error).message }
    }
  }
  process.stdout.write(JSON.stringify({ machine: machine(), results }, null, 2) + '\n')
}

function machine() {
  return { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, date: new Date().toISOString() }
}

void main().then(() => process.exit(0))

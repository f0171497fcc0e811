import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { buildMobileNetV2 } from '../../../src/main/training/backbone/mobilenet-v2'

/**
 * The .h5 loader against a file written by real h5py, laid out as Keras 2's `save_weights_to_hdf5_group` writes
 * it (not by this project's own writer): root attributes `layer_names` (fixed-length byte strings padded to the
 * longest, as numpy makes them), `backend` and `keras_version`; per layer a group with `weight_names`, and each
 * weight at `<layer>/<weight name>`, whose '/' makes h5py create the nested group. The full-model layout
 * (everything under /model_weights) and float64 datasets (old Keras) are covered too.
 * Needs Debian's python3-h5py under /usr/bin/python3 (.ci/run installs it).
 */
const PY = '/usr/bin/python3'
const WRITER = String.raw`
import json, sys
import h5py, numpy as np
spec = json.load(open(sys.argv[1]))
out, layout = sys.argv[2], sys.argv[3]
with h5py.File(out, 'w') as f:
    root = f.create_group('model_weights') if layout == 'full' else f
    root.attrs['layer_names'] = np.array([l['name'].encode('utf8') for l in spec])
    root.attrs['backend'] = b'tensorflow'
    root.attrs['keras_version'] = b'2.2.4'
    if layout == 'full':
        f.attrs['model_config'] = b'{}'
    for li, layer in enumerate(spec):
        g = root.create_group(layer['name'])
        names = [w['name'] for w in layer['weights']]
        g.attrs['weight_names'] = np.array([n.encode('utf8') for n in names])
        for wi, w in enumerate(layer['weights']):
            n = int(np.prod(w['shape']))
            values = (np.arange(n) % 97) * 1e-3 + li + wi * 0.5
            dtype = np.float64 if layer['name'] == 'Conv1' else np.float32
            g.create_dataset(w['name'], data=values.reshape(w['shape']).astype(dtype))
`

const hasH5py = (() => {
  try {
    execFileSync(PY, ['-c', 'import h5py, numpy'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

let dir = ''
let spec: { name: string; weights: { name: string; shape: number[] }[] }[] = []

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-h5py-'))
  // The layer and weight names and shapes of MobileNetV2 α=1.0 as Keras names them (what the file must hold).
  const model = buildMobileNetV2({ inputSize: 32, includeTop: false })
  spec = model.layers
    .filter((l) => l.weights.length > 0)
    .map((l) => ({
      name: l.name,
      weights: l.weights.map((w) => ({
        name: `${l.name}/${w.originalName.split('/').at(-1)}:0`,
        shape: w.shape as number[]
      }))
    }))
  model.dispose()
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(spec))
  fs.writeFileSync(path.join(dir, 'write.py'), WRITER)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe.runIf(hasH5py)('Keras HDF5 weights written by h5py', () => {
  for (const layout of ['weights', 'full'] as const) {
    it(`loads the ${layout === 'full' ? 'full-model (/model_weights)' : 'save_weights'} layout, every value in place`, async () => {
      const file = path.join(dir, `${layout}.h5`)
      execFileSync(PY, [path.join(dir, 'write.py'), path.join(dir, 'spec.json'), file, layout])
      const loaded = await loadBackbone({ kind: 'keras-h5', path: file, inputSize: 32 })
      try {
        expect(loaded.source.description).toContain('Keras 2.2.4 (tensorflow backend)')
        const byName = new Map(loaded.model.layers.map((l) => [l.name, l]))
        spec.forEach((layer, li) => {
          const weights = byName.get(layer.name)!.getWeights()
          layer.weights.forEach((w, wi) => {
            const got = weights[wi].dataSync()
            const n = got.length
            for (const i of [0, 1, 96, 97, n - 1].filter((j) => j < n))
              expect(got[i], `${w.name}[${i}]`).toBeCloseTo((i % 97) * 1e-3 + li + wi * 0.5, 4)
          })
        })
      } finally {
        loaded.model.dispose()
      }
    }, 120_000)
  }
})

it('finds /usr/bin/python3 with h5py (install python3-h5py: the loader test above needs it)', () => {
  expect(hasH5py).toBe(true)
})

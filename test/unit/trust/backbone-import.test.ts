import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { saveKerasH5Weights } from '../../fixtures/backbone/keras-h5-write'
import { loadBackbone } from '../../../src/main/training/backbone/load-backbone'
import { buildMobileNetV2 } from '../../../src/main/training/backbone/mobilenet-v2'
import { builtEngine } from '../../helpers/engine'

let dir = ''
let core: Core

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bb-import-'))
  core = createCore(path.join(dir, 'ws'), 'cli', builtEngine())
})
afterAll(() => {
  core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('"Import and check" imports the backbone', () => {
  it('copies checked .h5 weights into models/backbones/<sha256>/, and runs no longer need the outside file', async () => {
    const outside = path.join(dir, 'usb-stick', 'mobilenet_v2_custom_no_top.h5')
    fs.mkdirSync(path.dirname(outside), { recursive: true })
    const model = buildMobileNetV2({ inputSize: 32, includeTop: false, seed: 5 })
    await saveKerasH5Weights(model, outside)
    model.dispose()
    const api = directApi(core)

    const check = await api.training.checkBackbone({ kind: 'keras-h5', path: outside })
    const sha = check.source.sha256!
    expect(check.importedPath).toBe(path.join(dir, 'ws', 'models', 'backbones', sha, path.basename(outside)))
    expect(fs.readFileSync(check.importedPath!).equals(fs.readFileSync(outside))).toBe(true)

    // The original goes away (drive unplugged): the workspace copy still loads, with the same weights.
    fs.rmSync(path.dirname(outside), { recursive: true })
    const loaded = await loadBackbone({ kind: 'keras-h5', path: check.importedPath!, inputSize: 32 })
    expect(loaded.source.sha256).toBe(sha)
    loaded.model.dispose()

    // Checking the copy again reuses it (content-addressed), nothing is copied twice.
    const again = await api.training.checkBackbone({ kind: 'keras-h5', path: check.importedPath! })
    expect(again.importedPath).toBe(check.importedPath)
    expect(fs.readdirSync(path.join(dir, 'ws', 'models', 'backbones'))).toEqual([sha])

    // Built-in backbones have nothing to import.
    expect((await api.training.checkBackbone({ kind: 'random' })).importedPath).toBeNull()
  }, 180_000)
})

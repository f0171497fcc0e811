import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tinyEncoder } from '../../helpers/onnx-encoders'

const run = promisify(execFile)
const cli = path.resolve(__dirname, '../../../bin/neuropath.mjs')
let dir: string
let workspace: string

/** Runs the CLI with --json; resolves to its exit code and the last stdout line parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON, asserted field by field
type Json = any

async function neuropath(...args: string[]): Promise<{ code: number; result: Json; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, ...args, '--json', '--workspace', workspace], { timeout: 120_000 })
    return { code: 0, result: JSON.parse(r.stdout.trim().split('\n').at(-1) as string), stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    const last = e.stdout.trim().split('\n').at(-1)
    return { code: e.code, result: last ? JSON.parse(last) : null, stderr: e.stderr }
  }
}

beforeAll(() => {
  if (!fs.existsSync(path.resolve(__dirname, '../../../out/main/engine.js')))
    throw new Error('out/main/engine.js is missing: run `npx electron-vite build` first')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-backbones-'))
  workspace = path.join(dir, 'ws')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('neuropath backbones', () => {
  it('checks an encoder in an engine process, imports it with its declaration, lists and removes it', async () => {
    const file = path.join(dir, 'vit-tiny.onnx')
    const bytes = tinyEncoder({ layout: 'NCHW', output: 'tokens', size: 32 })
    fs.writeFileSync(file, bytes)
    // The declaration beside the file; the graph gives size, layout and names.
    fs.writeFileSync(`${file}.json`, JSON.stringify({ normalisation: { preset: 'clip' }, pooling: 'cls' }))
    const sha = createHash('sha256').update(bytes).digest('hex')

    const { code, result: c } = await neuropath('backbones', 'check', file)
    expect(code).toBe(0)
    expect(c).toMatchObject({
      fileName: 'vit-tiny.onnx',
      sha256: sha,
      bytes: bytes.length,
      inputShape: ['batch', 3, 32, 32],
      outputShape: [2, 65, 16],
      embeddingWidth: 16,
      degenerate: null,
      declaration: { layout: 'NCHW', inputSize: 32, input: 'pixel_values', output: 'last_hidden_state', pooling: 'cls' }
    })
    expect(c.imagesPerSecond).toBeGreaterThan(0)
    expect(c.engine).toMatch(/^onnxruntime /)
    const copy = path.join(workspace, 'models', 'backbones', sha, 'vit-tiny.onnx')
    expect(c.importedPath).toBe(copy)
    expect(fs.readFileSync(copy).equals(Buffer.from(bytes))).toBe(true)
    const sidecar = JSON.parse(fs.readFileSync(path.join(path.dirname(copy), 'neuropath-encoder.json'), 'utf8'))
    expect(sidecar.declaration.normalisation.mean[0]).toBeCloseTo(0.4815, 4)

    const list = await neuropath('backbones')
    expect(list.result.encoders).toEqual([
      expect.objectContaining({ sha256: sha, fileName: 'vit-tiny.onnx', path: copy })
    ])

    const removed = await neuropath('backbones', 'remove', sha.slice(0, 10))
    expect(removed).toMatchObject({ code: 0, result: { sha256: sha } })
    expect(fs.existsSync(path.dirname(copy))).toBe(false)
    expect((await neuropath('backbones', 'list')).result.encoders).toEqual([])
  }, 120_000)

  it('reports a degenerate encoder without importing it, and a mismatched declaration as a clear error', async () => {
    const flat = path.join(dir, 'flat.onnx')
    fs.writeFileSync(flat, tinyEncoder({ layout: 'NHWC', output: 'constant', size: 32 }))
    const config = path.join(dir, 'decl.json')
    fs.writeFileSync(config, JSON.stringify({ normalisation: { preset: '[0,1]' } }))
    const bad = await neuropath('backbones', 'check', flat, '--backbone-config', config)
    expect(bad.code).toBe(1)
    expect(bad.result).toMatchObject({ degenerate: expect.stringMatching(/constant/), importedPath: null })

    fs.writeFileSync(config, JSON.stringify({ normalisation: { preset: '[0,1]' }, layout: 'NCHW' }))
    const wrong = await neuropath('backbones', 'check', flat, '--backbone-config', config)
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toMatch(/onnx encoder flat\.onnx: layout NCHW puts 32 channels .*\(the graph looks NHWC\)/)

    const none = await neuropath('backbones', 'check', path.join(dir, 'vit-tiny.onnx').replace('vit-tiny', 'nodecl'))
    expect(none.code).not.toBe(0)
    expect(none.stderr).toMatch(/no declaration for nodecl\.onnx/)

    // Training on a degenerate encoder stops at its check, before any dataset or run is touched.
    fs.writeFileSync(`${flat}.json`, JSON.stringify({ normalisation: { preset: '[0,1]' } }))
    const train = await neuropath('train', '--dataset', 'any', '--backbone', `onnx:${flat}`)
    expect(train.code).not.toBe(0)
    expect(train.stderr).toMatch(/onnx:.*flat\.onnx: the encoder's output is unusable: the output is constant/)
  }, 120_000)
})

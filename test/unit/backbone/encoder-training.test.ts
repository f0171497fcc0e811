import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClassifiedRow } from '../../../src/main/inference/job'
import { classifyFolder } from '../../../src/main/inference/run/classify-folder'
import { loadModelInput } from '../../../src/main/training/preprocess/load-model-input'
import type { ModelCard } from '../../../src/main/training/job/model-artifact'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { tinyEncoder, writeColourNoisePng, type TinyEncoderOptions } from '../../helpers/onnx-encoders'
import { useCpuBackend } from '../training/fixtures'

/**
 * Issue 17 end to end through the built CLI and engine: `train --backbone onnx:FILE` on generated encoders
 * (NCHW with a spatial output, NHWC with a token output and BGR order) learns a separable generated task;
 * the model folder names the encoder and holds it; `classify` works (also from a copy of the folder after
 * the workspace's import is removed); model.onnx (encoder + preprocessing + pooling + head) gives the same
 * probabilities as classify; a mismatched declaration and stage 2 are refused before any run starts.
 */
const run = promisify(execFile)
const cli = path.resolve(__dirname, '../../../bin/neuropath.mjs')
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON, asserted field by field
type Json = any

let dir: string
let workspace: string
let images: string
let toClassify: string

async function neuropath(...args: string[]): Promise<{ code: number; result: Json; stderr: string }> {
  try {
    const r = await run(process.execPath, [cli, ...args, '--json', '--workspace', workspace], {
      timeout: 300_000,
      maxBuffer: 64 << 20
    })
    return { code: 0, result: JSON.parse(r.stdout.trim().split('\n').at(-1) as string), stderr: r.stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    const last = e.stdout?.trim().split('\n').at(-1)
    return { code: e.code, result: last ? JSON.parse(last) : null, stderr: e.stderr }
  }
}

/** Writes an encoder and its declaration beside it (`<file>.json`); returns the file. */
function writeEncoder(name: string, o: TinyEncoderOptions, declaration: object): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, tinyEncoder(o))
  fs.writeFileSync(`${file}.json`, JSON.stringify(declaration))
  return file
}

/** Reddish vs bluish noise with a random bright blob: separable by colour, not by position. */
async function writeImages(root: string, perClass: number, seed: number): Promise<void> {
  const rng = mulberry32(seed)
  for (const [cls, name] of ['red', 'blue'].entries()) {
    fs.mkdirSync(path.join(root, name), { recursive: true })
    for (let i = 0; i < perClass; i++)
      await writeColourNoisePng(path.join(root, name, `img${String(i).padStart(2, '0')}.png`), cls as 0 | 1, rng)
  }
}

const CONFIG = {
  head: { fc1Units: 32, fc2Units: 16 },
  batchSize: 8,
  stage1: { epochs: 15, mode: 'embeddings', learningRate: 0.01 },
  earlyStopping: { enabled: false },
  augmentation: { enabled: false }
}

/** Probabilities of model.onnx for every PNG under `root`, by file name, preprocessed as the card says. */
async function onnxProbabilities(modelDir: string, card: ModelCard, root: string): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'))
  const files = fs.readdirSync(root).filter((f) => f.endsWith('.png'))
  const s = card.preprocessing.inputSize
  const input = new Float32Array(files.length * s * s * 3)
  for (const [i, f] of files.entries())
    input.set(await loadModelInput(path.join(root, f), card.preprocessing), i * s * s * 3)
  const out = await session.run({ image: new ort.Tensor('float32', input, [files.length, s, s, 3]) })
  await session.release()
  const p = out.probabilities.data as Float32Array
  const k = card.classNames.length
  return new Map(files.map((f, i) => [f, Array.from(p.subarray(i * k, (i + 1) * k))]))
}

/** classify's CSV rows: probabilities by file name. */
function csvProbabilities(file: string, classNames: string[]): Map<string, number[]> {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\r\n')
  const cols = header.split(',')
  const at = classNames.map((c) => cols.indexOf(`p_${c}`))
  return new Map(rows.map((r) => r.split(',')).map((c) => [path.basename(c[0]), at.map((j) => Number(c[j]))]))
}

beforeAll(async () => {
  if (!fs.existsSync(path.resolve(__dirname, '../../../out/main/engine.js')))
    throw new Error('out/main/engine.js is missing: run `npx electron-vite build` first')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-encoder-train-'))
  workspace = path.join(dir, 'ws')
  images = path.join(dir, 'images')
  toClassify = path.join(dir, 'unseen')
  await writeImages(images, 20, 5)
  await writeImages(toClassify, 4, 77)
  // Flatten the unseen images into one folder (classification does not know the classes).
  for (const c of ['red', 'blue'])
    for (const f of fs.readdirSync(path.join(toClassify, c)))
      fs.renameSync(path.join(toClassify, c, f), path.join(toClassify, `${c}-${f}`))
  for (const c of ['red', 'blue']) fs.rmdirSync(path.join(toClassify, c))
  expect((await neuropath('import', images, '--dataset', 'colours')).code).toBe(0)
  const split = await neuropath(
    'split',
    '--dataset',
    'colours',
    '--val',
    '0.25',
    '--test',
    '0.25',
    '--group-by',
    'none',
    '--seed',
    '3'
  )
  expect(split.code).toBe(0)
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('training on your own ONNX encoder', () => {
  const config = () => {
    const file = path.join(dir, 'config.json')
    fs.writeFileSync(file, JSON.stringify(CONFIG))
    return file
  }

  it.each([
    {
      name: 'nchw-spatial.onnx',
      o: { layout: 'NCHW', output: 'spatial', size: 32, seed: 3 } as TinyEncoderOptions,
      declaration: { normalisation: { preset: 'imagenet' } },
      pooling: 'global-average'
    },
    {
      name: 'nhwc-tokens.onnx',
      o: { layout: 'NHWC', output: 'tokens', size: 32, seed: 4 } as TinyEncoderOptions,
      declaration: { normalisation: { preset: 'clip' }, channelOrder: 'BGR', pooling: 'cls' },
      pooling: 'cls'
    }
  ])(
    '$name: learns, records the encoder, classifies, and model.onnx matches classify',
    async ({ name, o, declaration, pooling }) => {
      const file = writeEncoder(name, o, declaration)
      const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex')
      const t = await neuropath('train', '--dataset', 'colours', '--backbone', `onnx:${file}`, '--config', config())
      expect(t.stderr).toMatch(/stage 2 is off/)
      expect(t.code, t.stderr).toBe(0)
      expect(t.result.status).toBe('completed')
      expect(t.result.stageBackends).toMatchObject({ stage2: null })
      // 10 test images, 2 classes: well above chance.
      expect(t.result.metrics.evaluation).toMatchObject({ split: 'test', n: 10 })
      expect(t.result.metrics.evaluation.accuracy).toBeGreaterThanOrEqual(0.9)

      const modelDir = t.result.modelDir as string
      const card = JSON.parse(fs.readFileSync(path.join(modelDir, 'neuropath.json'), 'utf8')) as ModelCard
      expect(card.backbone).toMatchObject({ kind: 'onnx-encoder', sha256: sha, inputScaling: '[0,1]' })
      expect(card.encoder).toMatchObject({
        fileName: name,
        sha256: sha,
        file: `encoder/${name}`,
        featureDim: 16,
        declaration: { inputSize: 32, layout: o.layout, pooling }
      })
      expect(card.config.backbone).toMatchObject({ kind: 'onnx-encoder', sha256: sha })
      expect(card.config.stage2.enabled).toBe(false)
      expect(card.featureLayer).toBe('')
      expect(card.saliency).toBeUndefined()
      const inFolder = path.join(modelDir, 'encoder', name)
      expect(createHash('sha256').update(fs.readFileSync(inFolder)).digest('hex')).toBe(sha)
      expect(card.onnx).toMatchObject({ file: 'model.onnx', input: { name: 'image', shape: ['batch', 32, 32, 3] } })

      // classify through the backbone runtime with the encoder: no maps, and it says why.
      const csv = path.join(dir, `${name}.csv`)
      const c = await neuropath('classify', toClassify, '--model', modelDir, '--out', csv)
      expect(c.code, c.stderr).toBe(0)
      const fromClassify = csvProbabilities(csv, card.classNames)
      expect(fromClassify.size).toBe(8)
      const red = card.classNames.indexOf('red')
      const correct = [...fromClassify].filter(([f, p]) => p[red] > 0.5 === f.startsWith('red'))
      expect(correct.length).toBeGreaterThanOrEqual(7)

      // model.onnx = encoder + preprocessing + pooling + head: the same probabilities.
      const fromOnnx = await onnxProbabilities(modelDir, card, toClassify)
      for (const [f, p] of fromClassify) {
        const q = fromOnnx.get(f) as number[]
        p.forEach((v, j) => expect(Math.abs(v - q[j])).toBeLessThan(1e-4))
      }
    },
    300_000
  )

  it('classify in the engine: Grad-CAM on a spatial encoder output, none for tokens (said), and TTA', async () => {
    await useCpuBackend()
    const classify = async (run: number, tta?: 'standard') => {
      const events: Array<{ type: string; text?: string; rows?: ClassifiedRow[] }> = []
      const result = await classifyFolder(
        { modelDir: path.join(workspace, 'models', `run-${run}`, 'model'), folder: toClassify, saliency: true, tta },
        (e) => events.push(e as (typeof events)[number])
      )
      return { result, events, rows: events.flatMap((e) => e.rows ?? []) }
    }
    const spatial = await classify(1)
    expect(spatial.result).toMatchObject({
      status: 'completed',
      classified: 8,
      saliencyMethod: { kind: 'gradcam', layer: 'encoder output "features"' }
    })
    // The tiny encoder's map is 8 × 8 at 32 px (two stride-2 convolutions).
    expect(spatial.rows.every((r) => r.cam !== null && r.camWidth === 8 && r.camHeight === 8)).toBe(true)
    expect(spatial.rows.some((r) => r.cam!.some((v) => v > 0))).toBe(true)

    const tokens = await classify(2, 'standard')
    expect(tokens.result).toMatchObject({ status: 'completed', classified: 8, saliencyMethod: null })
    expect(tokens.rows.every((r) => r.cam === null && r.uncertainty !== null)).toBe(true)
    expect(tokens.events.some((e) => /no saliency maps: .*a token sequence/.test(e.text ?? ''))).toBe(true)
  }, 120_000)

  it('a copied model folder classifies after the workspace import is removed', async () => {
    // The NCHW encoder's run (the first one).
    const modelDir = path.join(workspace, 'models', 'run-1', 'model')
    const copy = path.join(dir, 'copied-model')
    fs.cpSync(modelDir, copy, { recursive: true })
    const card = JSON.parse(fs.readFileSync(path.join(copy, 'neuropath.json'), 'utf8')) as ModelCard
    expect((await neuropath('backbones', 'remove', card.encoder!.sha256)).code).toBe(0)
    const csv = path.join(dir, 'copied.csv')
    const c = await neuropath('classify', toClassify, '--model', copy, '--out', csv)
    expect(c.code, c.stderr).toBe(0)
    expect(csvProbabilities(csv, card.classNames).size).toBe(8)

    // A swapped encoder is refused, naming the file.
    fs.rmSync(path.join(copy, card.encoder!.file))
    fs.writeFileSync(
      path.join(copy, card.encoder!.file),
      tinyEncoder({ layout: 'NCHW', output: 'spatial', size: 32, seed: 99 })
    )
    const bad = await neuropath('classify', toClassify, '--model', copy, '--out', path.join(dir, 'bad.csv'))
    expect(bad.code).not.toBe(0)
    expect(bad.stderr).toMatch(/is not the encoder the model was trained on/)
  }, 300_000)

  it('refuses a mismatched declaration and stage 2 before any run starts', async () => {
    const before = JSON.stringify((await neuropath('runs')).result)
    const file = writeEncoder(
      'mismatch.onnx',
      { layout: 'NCHW', output: 'spatial', size: 32 },
      {
        normalisation: { preset: '[0,1]' }
      }
    )
    // Train with a declaration file: refused at the encoder's check, naming the field and the graph's shape.
    const refused = async (declaration: object, message: RegExp) => {
      const decl = path.join(dir, 'declaration.json')
      fs.writeFileSync(decl, JSON.stringify(declaration))
      const r = await neuropath(
        ...[
          'train',
          '--dataset',
          'colours',
          '--backbone',
          `onnx:${file}`,
          '--backbone-config',
          decl,
          '--config',
          config()
        ]
      )
      expect(r.code).not.toBe(0)
      expect(r.stderr).toMatch(message)
    }
    await refused(
      { normalisation: { preset: '[0,1]' }, layout: 'NHWC' },
      /onnx encoder mismatch\.onnx: layout NHWC puts 32 channels .*\(the graph looks NCHW\)/
    )
    await refused(
      { normalisation: { preset: '[0,1]' }, inputSize: 64 },
      /inputSize 64 is declared but input "pixel_values" \[batch, 3, 32, 32\] takes 32 px/
    )

    const twoStages = path.join(dir, 'two-stages.json')
    fs.writeFileSync(twoStages, JSON.stringify({ ...CONFIG, stage2: { enabled: true, epochs: 1 } }))
    const s2 = await neuropath('train', '--dataset', 'colours', '--backbone', `onnx:${file}`, '--config', twoStages)
    expect(s2.code).not.toBe(0)
    expect(s2.stderr).toMatch(/stage2\.enabled.*turn stage 2 off: stage 2 fine-tunes the top layers of MobileNetV2/)
    expect(JSON.stringify((await neuropath('runs')).result)).toBe(before)
  }, 300_000)
})

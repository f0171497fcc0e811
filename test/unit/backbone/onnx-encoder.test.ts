import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OnnxEncoderDeclarationInput } from '../../../src/shared/contract/onnx-encoder'
import { openBackboneRuntime } from '../../../src/main/backbone-runtime/backbone-runtime'
import { checkImages, degenerateReason } from '../../../src/main/backbone-runtime/onnx-encoder/check-encoder'
import { resolveDeclaration } from '../../../src/main/backbone-runtime/onnx-encoder/declaration'
import { EmbeddingCache } from '../../../src/main/training/backbone/embedding-cache'
import { EmbeddingExtractor, type EmbedItem } from '../../../src/main/training/backbone/embedding-extractor'
import { createOrtHeadTarget } from '../../../src/main/training/graph/ort-head-target'
import { buildHead } from '../../../src/main/training/head/build-head'
import { createEmbeddingSource } from '../../../src/main/training/loop/embedding-source'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { trainStage } from '../../../src/main/training/loop/train-stage'
import { tinyEncoder, writeColourNoisePng, type TinyEncoderOptions } from '../../helpers/onnx-encoders'
import { useCpuBackend } from '../training/fixtures'

const SIZE = 32
let dir: string
let items: EmbedItem[]
let labels: Int32Array

function writeEncoder(name: string, o: TinyEncoderOptions): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, tinyEncoder(o))
  return file
}

const imagenet: OnnxEncoderDeclarationInput = { normalisation: { preset: 'imagenet' } }

beforeAll(async () => {
  await useCpuBackend()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-encoder-'))
  // A separable task: class 0 reddish noise, class 1 bluish noise, both with a random bright blob.
  const rng = mulberry32(5)
  items = []
  const l: number[] = []
  for (let i = 0; i < 48; i++) {
    const cls = i % 2
    const file = path.join(dir, `img${i}.png`)
    await writeColourNoisePng(file, cls as 0 | 1, rng)
    items.push({ path: file })
    l.push(cls)
  }
  labels = Int32Array.from(l)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('ONNX encoder declaration', () => {
  const graph = (input: Array<number | string>, output: Array<number | string>) => ({
    inputs: [{ name: 'x', shape: input }],
    outputs: [{ name: 'y', shape: output }]
  })

  it('infers layout, size, names and pooling from the graph', () => {
    const nchw = resolveDeclaration(imagenet, graph(['batch', 3, 224, 224], ['batch', 768, 7, 7]), 'e')
    expect(nchw).toMatchObject({ layout: 'NCHW', inputSize: 224, input: 'x', output: 'y', pooling: 'global-average' })
    expect(nchw.channelOrder).toBe('RGB')
    expect(nchw.normalisation.mean[0]).toBeCloseTo(0.485)
    const nhwc = resolveDeclaration(imagenet, graph(['batch', 96, 96, 3], ['batch', 1280]), 'e')
    expect(nhwc).toMatchObject({ layout: 'NHWC', inputSize: 96, pooling: 'none' })
    // A scale on 0–255 pixels becomes mean/std on [0, 1]: v/127.5 − 1 is the [-1,1] preset.
    const scaled = resolveDeclaration(
      { normalisation: { scale: 1 / 127.5, offset: -1 } },
      graph(['batch', 3, 8, 8], ['batch', 4]),
      'e'
    )
    expect(scaled.normalisation.mean[1]).toBeCloseTo(0.5)
    expect(scaled.normalisation.std[2]).toBeCloseTo(0.5)
  })

  it('rejects a declaration that contradicts the graph, naming the field and the shape', () => {
    const g = graph(['batch', 3, 224, 224], ['batch', 197, 768])
    expect(() => resolveDeclaration({ ...imagenet, inputSize: 256, pooling: 'cls' }, g, 'enc.onnx')).toThrow(
      /enc\.onnx: inputSize 256 is declared but input "x" \[batch, 3, 224, 224\] takes 224 px/
    )
    expect(() => resolveDeclaration({ ...imagenet, layout: 'NHWC', pooling: 'cls' }, g, 'enc.onnx')).toThrow(
      /layout NHWC puts 224 channels .* \(the graph looks NCHW\)/
    )
    expect(() => resolveDeclaration(imagenet, g, 'enc.onnx')).toThrow(
      /token sequence; declare pooling "cls" or "mean-tokens"/
    )
    expect(() => resolveDeclaration({ ...imagenet, pooling: 'global-average' }, g, 'enc.onnx')).toThrow(
      /pooling "global-average" needs a rank-4 output/
    )
    expect(() => resolveDeclaration({ ...imagenet, output: 'logits' }, g, 'enc.onnx')).toThrow(
      /output "logits" is not in the graph/
    )
    expect(() => resolveDeclaration(imagenet, graph(['batch', 3, 'h', 'w'], ['batch', 8]), 'enc.onnx')).toThrow(
      /has no fixed size; declare inputSize/
    )
    expect(() => resolveDeclaration({ normalisation: { mean: [0, 0, 0], std: [0, 1, 1] } }, g, 'enc.onnx')).toThrow(
      /the declaration is invalid: normalisation/
    )
  })

  it('fails to open before running anything when the file and the declaration disagree', async () => {
    const file = writeEncoder('mismatch.onnx', { layout: 'NCHW', output: 'spatial', size: SIZE })
    await expect(
      openBackboneRuntime(
        { kind: 'onnx-encoder', path: file, declaration: { ...imagenet, layout: 'NHWC' } },
        { outputs: ['embedding'] }
      )
    ).rejects.toThrow(/onnx encoder mismatch\.onnx: layout NHWC puts 32 channels/)
    const ex = new EmbeddingExtractor({
      backbone: { kind: 'onnx-encoder', path: file, declaration: { ...imagenet, inputSize: 64 } }
    })
    await expect(ex.extract(items.slice(0, 2))).rejects.toThrow(/inputSize 64 is declared but input "pixel_values"/)
  })
})

describe('ONNX encoder in the backbone runtime', () => {
  it('gives the same embeddings for an NCHW and an NHWC export of one encoder, and honours BGR', async () => {
    const a = writeEncoder('same-nchw.onnx', { layout: 'NCHW', output: 'spatial', size: SIZE, seed: 3 })
    const b = writeEncoder('same-nhwc.onnx', { layout: 'NHWC', output: 'spatial', size: SIZE, seed: 3 })
    const images = checkImages(SIZE)
    const run = async (file: string, decl: OnnxEncoderDeclarationInput) => {
      const rt = await openBackboneRuntime(
        { kind: 'onnx-encoder', path: file, declaration: decl },
        { outputs: ['embedding'] }
      )
      const out = (await rt.run(images, 2)).embedding as Float32Array
      expect(rt.featureDim).toBe(16)
      await rt.close()
      return out
    }
    const ea = await run(a, imagenet)
    const eb = await run(b, imagenet)
    expect(ea.length).toBe(32)
    for (let i = 0; i < ea.length; i++) expect(eb[i]).toBeCloseTo(ea[i], 5)
    // BGR feeds channels reversed: with the mean/std reversed too, a channel-swapped image gives the same vector.
    const swapped = Float32Array.from(images)
    for (let p = 0; p < swapped.length; p += 3) [swapped[p], swapped[p + 2]] = [images[p + 2], images[p]]
    const rt = await openBackboneRuntime(
      { kind: 'onnx-encoder', path: a, declaration: { ...imagenet, channelOrder: 'BGR' } },
      { outputs: ['embedding'] }
    )
    const viaBgr = (await rt.run(images, 2)).embedding as Float32Array
    await rt.close()
    expect(Math.max(...viaBgr.map((v, i) => Math.abs(v - ea[i])))).toBeGreaterThan(1e-3)
    // ImageNet mean/std are per channel, so compare with identical stats on both channels swapped.
    const flat: OnnxEncoderDeclarationInput = { normalisation: { mean: [0.45, 0.45, 0.45], std: [0.25, 0.25, 0.25] } }
    const x = await openBackboneRuntime(
      { kind: 'onnx-encoder', path: a, declaration: { ...flat, channelOrder: 'BGR' } },
      { outputs: ['embedding'] }
    )
    const y = await openBackboneRuntime(
      { kind: 'onnx-encoder', path: a, declaration: flat },
      { outputs: ['embedding'] }
    )
    const ex = (await x.run(images, 2)).embedding as Float32Array
    const ey = (await y.run(swapped, 2)).embedding as Float32Array
    await Promise.all([x.close(), y.close()])
    for (let i = 0; i < ex.length; i++) expect(ex[i]).toBeCloseTo(ey[i], 5)
  })

  it('pools a token output by CLS or by the mean, as declared', async () => {
    const file = writeEncoder('tokens.onnx', { layout: 'NCHW', output: 'tokens', size: SIZE })
    const spatial = writeEncoder('tokens-spatial.onnx', { layout: 'NCHW', output: 'spatial', size: SIZE })
    const images = checkImages(SIZE)
    const emb = async (f: string, d: OnnxEncoderDeclarationInput) => {
      const rt = await openBackboneRuntime(
        { kind: 'onnx-encoder', path: f, declaration: d },
        { outputs: ['embedding'] }
      )
      const e = (await rt.run(images, 2)).embedding as Float32Array
      await rt.close()
      return e
    }
    const gap = await emb(spatial, imagenet)
    const cls = await emb(file, { ...imagenet, pooling: 'cls' })
    const mean = await emb(file, { ...imagenet, pooling: 'mean-tokens' })
    // The first token is the mean of the spatial tokens, so CLS = global average of the map.
    for (let i = 0; i < gap.length; i++) expect(cls[i]).toBeCloseTo(gap[i], 5)
    // The mean over 1 + 64 tokens, where one token equals the mean of the other 64, is that mean too.
    for (let i = 0; i < gap.length; i++) expect(mean[i]).toBeCloseTo(gap[i], 5)
    await expect(
      openBackboneRuntime(
        { kind: 'onnx-encoder', path: file, declaration: { ...imagenet, pooling: 'cls' } },
        { outputs: ['featureMap'] }
      )
    ).rejects.toThrow(/a feature map \(Grad-CAM\) needs a spatial output/)
  })

  it('flags degenerate outputs: constant, NaN, image-independent', async () => {
    const rt = async (output: 'constant' | 'nan') => {
      const f = writeEncoder(`${output}.onnx`, { layout: 'NCHW', output, size: SIZE })
      const r = await openBackboneRuntime(
        { kind: 'onnx-encoder', path: f, declaration: imagenet },
        { outputs: ['embedding'] }
      )
      const e = (await r.run(checkImages(SIZE), 2)).embedding as Float32Array
      await r.close()
      return degenerateReason(e, 2, 16)
    }
    expect(await rt('constant')).toMatch(/the output is constant/)
    expect(await rt('nan')).toMatch(/NaN/)
    expect(degenerateReason(Float32Array.from([1, 2, 3, 1, 2, 3]), 2, 3)).toMatch(
      /different images give the same embedding/
    )
    expect(degenerateReason(Float32Array.from([1, 2, 3, 1, 2, 4]), 2, 3)).toBeNull()
  })
})

describe('stage 1 on an ONNX encoder', () => {
  const cases: Array<[string, TinyEncoderOptions, OnnxEncoderDeclarationInput]> = [
    ['NCHW spatial', { layout: 'NCHW', output: 'spatial', size: SIZE }, imagenet],
    ['NHWC spatial', { layout: 'NHWC', output: 'spatial', size: SIZE }, { normalisation: { preset: '[-1,1]' } }],
    ['NCHW tokens (CLS)', { layout: 'NCHW', output: 'tokens', size: SIZE }, { ...imagenet, pooling: 'cls' }],
    [
      'NHWC spatial, symbolic size, CLIP',
      { layout: 'NHWC', output: 'spatial', size: SIZE, symbolicSize: true },
      { normalisation: { preset: 'clip' }, inputSize: SIZE, layout: 'NHWC' }
    ]
  ]
  it.each(cases)('learns a separable generated task with an %s encoder', async (name, enc, decl) => {
    const file = writeEncoder(`${name.replace(/\W+/g, '-')}.onnx`, enc)
    const ex = new EmbeddingExtractor({ backbone: { kind: 'onnx-encoder', path: file, declaration: decl } })
    const { data, dim } = await ex.extract(items)
    expect(ex.info?.source).toMatchObject({ kind: 'onnx-encoder', fileName: path.basename(file) })
    expect(ex.info?.preprocess).toMatchObject({ inputSize: SIZE, scaling: '[0,1]' })
    await ex.close()
    expect(dim).toBe(16)
    // Standardise per feature (as the head's first BatchNorm would) and train the head: 32 train, 16 val.
    const nTrain = 32
    const train = createEmbeddingSource(data.slice(0, nTrain * dim), dim, labels.slice(0, nTrain), 2, { batchSize: 8 })
    const val = createEmbeddingSource(data.slice(nTrain * dim), dim, labels.slice(nTrain), 2, { shuffle: false })
    const head = buildHead({ numClasses: 2, fc1Units: 16, fc2Units: 8, seed: 1 }, dim)
    const r = await trainStage(await createOrtHeadTarget(head), {
      name: 'stage1',
      train,
      validation: val,
      epochs: 25,
      learningRate: 1e-2,
      seed: 7
    })
    const best = Math.max(...r.history.map((e) => e.valAccuracy ?? 0))
    expect(best, name).toBeGreaterThanOrEqual(0.9)
    head.dispose()
  })
})

describe('embedding cache keyed by the encoder', () => {
  it('never shares embeddings between two encoders, or two declarations of one encoder', async () => {
    const cache = new EmbeddingCache(path.join(dir, 'cache'))
    const a = writeEncoder('cache-a.onnx', { layout: 'NCHW', output: 'spatial', size: SIZE, seed: 1 })
    const b = writeEncoder('cache-b.onnx', { layout: 'NCHW', output: 'spatial', size: SIZE, seed: 2 })
    const some = items.slice(0, 6)
    const extract = async (file: string, declaration: OnnxEncoderDeclarationInput) => {
      const ex = new EmbeddingExtractor({ backbone: { kind: 'onnx-encoder', path: file, declaration }, cache })
      const r = await ex.extract(some)
      const id = ex.info?.backboneId
      await ex.close()
      return { ...r, id }
    }
    const first = await extract(a, imagenet)
    expect(first.fromCache).toBe(0)
    const again = await extract(a, imagenet)
    expect(again.fromCache).toBe(6)
    expect(Array.from(again.data)).toEqual(Array.from(first.data))
    const other = await extract(b, imagenet)
    expect(other.fromCache).toBe(0)
    expect(other.id).not.toBe(first.id)
    const otherDecl = await extract(a, { normalisation: { preset: '[0,1]' } })
    expect(otherDecl.fromCache).toBe(0)
    expect(new Set([first.id, other.id, otherDecl.id]).size).toBe(3)
    // The same file copied elsewhere is the same encoder (keyed by content, not path).
    const copy = path.join(dir, 'copy-of-a.onnx')
    fs.copyFileSync(a, copy)
    expect((await extract(copy, imagenet)).fromCache).toBe(6)
  })
})

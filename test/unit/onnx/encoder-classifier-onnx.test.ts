import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import * as ort from 'onnxruntime-node'
import { onnx } from 'onnx-proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OnnxEncoderDeclarationInput } from '../../../src/shared/contract/onnx-encoder'
import { openBackboneRuntime } from '../../../src/main/backbone-runtime/backbone-runtime'
import type { OnnxEncoderRuntime } from '../../../src/main/backbone-runtime/onnx-encoder/encoder-runtime'
import { ENCODER_PREFIX, encoderClassifierToOnnx } from '../../../src/main/onnx/encoder-classifier-to-onnx'
import { buildHead } from '../../../src/main/training/head/build-head'
import { mulberry32 } from '../../../src/main/training/loop/random'
import { tinyEncoder, type TinyEncoderOptions } from '../../helpers/onnx-encoders'
import { useCpuBackend } from '../training/fixtures'

/**
 * model.onnx of a run on an ONNX encoder: one graph (preprocessing + the encoder's own nodes + pooling +
 * head) must compute what the backbone runtime (packInput, the encoder session, poolOutput) and the tfjs
 * head compute, for every layout, channel order and pooling.
 */
let dir: string
beforeAll(async () => {
  await useCpuBackend()
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-enc-onnx-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const CASES: Array<{ o: TinyEncoderOptions; d: OnnxEncoderDeclarationInput }> = [
  { o: { layout: 'NCHW', output: 'spatial', size: 24 }, d: { normalisation: { preset: 'imagenet' } } },
  {
    o: { layout: 'NHWC', output: 'spatial', size: 24 },
    d: { normalisation: { mean: [0.1, 0.5, 0.9], std: [0.2, 0.3, 0.4] }, channelOrder: 'BGR' }
  },
  { o: { layout: 'NCHW', output: 'tokens', size: 24 }, d: { normalisation: { preset: 'clip' }, pooling: 'cls' } },
  {
    o: { layout: 'NHWC', output: 'tokens', size: 24 },
    d: { normalisation: { scale: 1 / 127.5, offset: -1 }, pooling: 'mean-tokens', channelOrder: 'BGR' }
  }
]

describe('encoder + head as one ONNX graph', () => {
  it.each(CASES)(
    '$o.layout $o.output $d.pooling $d.channelOrder matches the backbone runtime and the head',
    async ({ o, d }) => {
      const file = path.join(dir, `${o.layout}-${o.output}.onnx`)
      const bytes = tinyEncoder({ ...o, seed: 11 })
      fs.writeFileSync(file, bytes)
      const rt = (await openBackboneRuntime(
        { kind: 'onnx-encoder', path: file, declaration: d },
        { outputs: ['embedding'] }
      )) as OnnxEncoderRuntime
      const n = 3
      const s = o.size
      const rng = mulberry32(2)
      const images = Float32Array.from({ length: n * s * s * 3 }, () => rng())
      const head = buildHead({ numClasses: 3, fc1Units: 8, fc2Units: 4, seed: 5 }, rt.featureDim)
      try {
        const e = (await rt.run(images, n)).embedding as Float32Array
        const want = tf.tidy(() => (head.predict(tf.tensor2d(e, [n, rt.featureDim])) as tf.Tensor).dataSync())
        const composed = encoderClassifierToOnnx(bytes, rt.declaration, head, { 'neuropath.test': 'yes' }, 'test')
        const model = onnx.ModelProto.decode(composed)
        // The encoder's own nodes are inside, renamed; the model's only input is the app's NHWC image.
        expect(model.graph?.node?.some((x) => x.opType === 'Conv' && x.output?.[0]?.startsWith(ENCODER_PREFIX))).toBe(
          true
        )
        expect(model.graph?.input?.map((v) => v.name)).toEqual(['image'])
        const session = await ort.InferenceSession.create(composed)
        const got = (await session.run({ image: new ort.Tensor('float32', images, [n, s, s, 3]) })).probabilities
          .data as Float32Array
        await session.release()
        expect(got.length).toBe(n * 3)
        for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5)
        // Not trivially equal: the images get different probabilities.
        expect(Math.abs(got[0] - got[3]) + Math.abs(got[1] - got[4])).toBeGreaterThan(1e-6)
      } finally {
        head.dispose()
        await rt.close()
      }
    }
  )
})

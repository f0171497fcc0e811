import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openBackboneRuntime } from '../backbone-runtime/backbone-runtime'
import { createOrtSession, loadOrt } from '../onnx/ort-runtime'
import { BACKBONE_IO, planToOnnx } from '../onnx/plan-to-onnx'
import { compileInferencePlan } from '../training/backbone/inference-plan'
import { loadBackbone } from '../training/backbone/load-backbone'

const SIZE = 224
const BATCH = 16
const ROUNDS = 6

/**
 * "Your own backbone" overhead: the project's MobileNetV2 (nsfwjs weights) exported as an ONNX encoder
 * file (NHWC, 224 px, spatial output [n, 7, 7, 1280]), run (a) as a bare ONNX Runtime session on an input
 * already laid out for it (the encoder's own speed) and (b) through the backbone runtime's ONNX-encoder
 * path (normalisation + layout in JS, the session, global average pooling in JS), batch 16, rounds
 * interleaved so both see the same machine load. Goal: overhead ≤ 15 %.
 */
export async function benchOnnxEncoder(): Promise<Record<string, number | string>> {
  const status = loadOrt()
  if (!status.ok) return { onnxEncoderSkipped: status.reason }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-encoder-'))
  try {
    const { model } = await loadBackbone({ kind: 'nsfwjs', inputSize: SIZE })
    const plan = compileInferencePlan(model)
    model.dispose()
    const bytes = planToOnnx(plan, { outputs: ['featureMap'] })
    const file = path.join(dir, 'mobilenetv2-nhwc.onnx')
    fs.writeFileSync(file, bytes)

    const n = BATCH * SIZE * SIZE * 3
    const input = Float32Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 1000)
    const raw = await createOrtSession(bytes)
    const tensor = new status.ort.Tensor('float32', input, [BATCH, SIZE, SIZE, 3])
    const wrapped = await openBackboneRuntime(
      { kind: 'onnx-encoder', path: file, declaration: { normalisation: { preset: '[0,1]' } } },
      { outputs: ['embedding'] }
    )
    const runRaw = () => raw.run({ [BACKBONE_IO.input]: tensor })
    const runWrapped = () => wrapped.run(input, BATCH)
    await runRaw()
    await runWrapped()
    let rawMs = 0
    let wrappedMs = 0
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now()
      await runRaw()
      rawMs += performance.now() - t
      t = performance.now()
      await runWrapped()
      wrappedMs += performance.now() - t
    }
    await Promise.all([raw.release(), wrapped.close()])
    const imgs = BATCH * ROUNDS
    const rawRate = imgs / (rawMs / 1000)
    const wrappedRate = imgs / (wrappedMs / 1000)
    return {
      onnxEncoderModel: 'MobileNetV2 (nsfwjs) as an ONNX encoder file, NHWC 224 px, batch 16, inputs in memory',
      onnxEncoderEngine: wrapped.engine,
      onnxEncoderImgPerSecBareSession: Math.round(rawRate * 10) / 10,
      onnxEncoderImgPerSecBackboneRuntime: Math.round(wrappedRate * 10) / 10,
      onnxEncoderOverheadPercent: Math.round((rawRate / wrappedRate - 1) * 1000) / 10
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

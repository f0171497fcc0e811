import type * as Ort from 'onnxruntime-node'
import { BACKBONE_IO, planToOnnx, type PlanOutput } from '../onnx/plan-to-onnx'
import { createOrtSession, loadOrt, ortThreads } from '../onnx/ort-runtime'
import type { InferencePlan } from '../training/backbone/inference-plan'
import type { InputScaling } from '../training/backbone/types'
import { scalingLut } from '../training/preprocess/scale-pixels'
import type { BackboneOutputs, BackboneRuntime } from './backbone-runtime'

/**
 * The backbone as one ONNX Runtime session built from the plan. The session owns the weights (no copy
 * per job or per thread) and parallelises inside each op over every core. With `pixels`, the session that
 * takes 8-bit pixels (runPixels) is built first and the float one only on a first `run`; otherwise the
 * other way round, so a job builds one session (each costs ~0.15 s).
 * Idle intra-op threads sleep instead of spinning: the next batch is decoded on other threads meanwhile
 * (stage 1 on 1,000 PNGs: about 1 CPU-s less for the same or better wall time, measured on 2 cores).
 */
export async function openOrtBackbone(
  plan: InferencePlan,
  outputs: readonly PlanOutput[],
  pixels?: InputScaling
): Promise<BackboneRuntime> {
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const { ort, version } = status
  const threads = ortThreads()
  const open = (scaling?: InputScaling): Promise<Ort.InferenceSession> =>
    createOrtSession(
      planToOnnx(plan, { outputs, pixels: scaling ? { lut: scalingLut(scaling) } : undefined }),
      threads,
      {
        spinning: false
      }
    )
  let floatSession: Promise<Ort.InferenceSession> | null = pixels ? null : Promise.resolve(await open())
  const pixelSession: Promise<Ort.InferenceSession> | null = pixels ? Promise.resolve(await open(pixels)) : null
  const s = plan.inputSize
  const outputsOf = (r: Ort.InferenceSession.OnnxValueMapType): BackboneOutputs => {
    const out: BackboneOutputs = {}
    const e = r[BACKBONE_IO.embedding]
    if (e) out.embedding = e.data as Float32Array
    const m = r[BACKBONE_IO.featureMap]
    if (m)
      out.featureMap = { data: m.data as Float32Array, shape: m.dims.map(Number) as [number, number, number, number] }
    return out
  }
  return {
    backend: 'ort',
    engine: `onnxruntime ${version} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    inputSize: s,
    featureDim: plan.featureDim,
    preferredBatch: 16,
    pixelScaling: pixels,
    async run(input: Float32Array, n: number): Promise<BackboneOutputs> {
      floatSession ??= open()
      const image = new ort.Tensor('float32', input.subarray(0, n * s * s * 3), [n, s, s, 3])
      return outputsOf(await (await floatSession).run({ [BACKBONE_IO.input]: image }))
    },
    runPixels: pixelSession
      ? async (bytes: Uint8Array, n: number): Promise<BackboneOutputs> => {
          const image = new ort.Tensor('uint8', bytes.subarray(0, n * s * s * 3), [n, s, s, 3])
          return outputsOf(await (await pixelSession).run({ [BACKBONE_IO.pixels]: image }))
        }
      : undefined,
    async close() {
      const sessions = await Promise.all([floatSession, pixelSession])
      await Promise.all(sessions.map((x) => x?.release()))
    }
  }
}

import { BACKBONE_IO, planToOnnx, type PlanOutput } from '../onnx/plan-to-onnx'
import { createOrtSession, loadOrt, ortThreads } from '../onnx/ort-runtime'
import type { InferencePlan } from '../training/backbone/inference-plan'
import type { BackboneOutputs, BackboneRuntime } from './backbone-runtime'

/**
 * The backbone as one ONNX Runtime session built from the plan. The session owns the weights (no copy
 * per job or per thread) and parallelises inside each op over every core.
 */
export async function openOrtBackbone(plan: InferencePlan, outputs: readonly PlanOutput[]): Promise<BackboneRuntime> {
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const { ort, version } = status
  const threads = ortThreads()
  const session = await createOrtSession(planToOnnx(plan, { outputs }), threads)
  const s = plan.inputSize
  return {
    backend: 'ort',
    engine: `onnxruntime ${version} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    inputSize: s,
    featureDim: plan.featureDim,
    preferredBatch: 16,
    async run(input: Float32Array, n: number): Promise<BackboneOutputs> {
      const image = new ort.Tensor('float32', input.subarray(0, n * s * s * 3), [n, s, s, 3])
      const r = await session.run({ [BACKBONE_IO.input]: image })
      const out: BackboneOutputs = {}
      const e = r[BACKBONE_IO.embedding]
      if (e) out.embedding = e.data as Float32Array
      const m = r[BACKBONE_IO.featureMap]
      if (m)
        out.featureMap = { data: m.data as Float32Array, shape: m.dims.map(Number) as [number, number, number, number] }
      return out
    },
    close: () => session.release()
  }
}

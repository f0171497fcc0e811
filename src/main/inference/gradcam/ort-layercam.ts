import type * as Ort from 'onnxruntime-node'
import type { FeatureMap } from '../../backbone-runtime/backbone-runtime'
import { createOrtSession, loadOrt, ortThreads } from '../../onnx/ort-runtime'
import type { BatchPrediction } from './grad-cam'
import { buildLayerCamGraph, LAYERCAM_IO, type LayerCamSource } from './layercam-graph'

/** Baseline LayerCAM on ONNX Runtime: one session holding the tail of the backbone, the head and K backward passes. */
export interface OrtLayerCam {
  /** e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)'. */
  engine: string
  /** Probabilities and (when `withCam`) maps of a batch of A (the saliency layer's NHWC feature map). */
  predict(a: FeatureMap, withCam: boolean): Promise<BatchPrediction>
  close(): Promise<void>
}

/**
 * Opens the LayerCAM graph (layercam-graph.ts) in an ONNX Runtime session; calls without maps (test-time
 * augmentation passes) get a forward-only session of their own, opened on first use. Throws when ONNX Runtime
 * did not load, or the graph cannot be built (AppError UNSUPPORTED) or is refused.
 */
export async function openOrtLayerCam(src: LayerCamSource): Promise<OrtLayerCam> {
  const status = loadOrt()
  if (!status.ok) throw new Error(status.reason)
  const { ort, version } = status
  const threads = ortThreads()
  // Idle threads sleep between ops: on the shared 2-core machine (1-min load 8; batch 16, 4 classes, 2 threads)
  // this took 11.4–11.5 CPU-ms and 11.7–14.1 ms wall per image, against 19.5–20.5 and 19.5–44 with spinning.
  const session = await createOrtSession(buildLayerCamGraph(src), threads, { spinning: false })
  let forward: Promise<Ort.InferenceSession> | null = null
  return {
    engine: `onnxruntime ${version} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    async predict(a, withCam) {
      const feeds = { [LAYERCAM_IO.input]: new ort.Tensor('float32', a.data, a.shape) }
      if (!withCam) forward ??= createOrtSession(buildLayerCamGraph(src, false), threads, { spinning: false })
      const r = await (withCam ? session : await (forward as Promise<Ort.InferenceSession>)).run(feeds)
      return {
        probabilities: r[LAYERCAM_IO.probabilities].data as Float32Array,
        cams: withCam ? (r[LAYERCAM_IO.cams].data as Float32Array) : null
      }
    },
    async close() {
      await session.release()
      if (forward) await (await forward).release()
    }
  }
}

import type * as tf from '@tensorflow/tfjs'
import { AppError } from '../../shared/errors'
import type { BackendInfo } from '../../shared/contract'
import { selectBackend } from '../compute/backend'
import type { PlanOutput } from '../onnx/plan-to-onnx'
import { compileInferencePlan, type InferencePlan } from '../training/backbone/inference-plan'
import type { InputScaling } from '../training/backbone/types'
import { openOnnxEncoder, type OnnxEncoderSource } from './onnx-encoder/encoder-runtime'
import { openOrtBackbone } from './ort-backbone'
import { openTfjsBackbone } from './tfjs-backbone'

/** A batch's NHWC feature map: `data` is shape[0] × shape[1] × shape[2] × shape[3] float32. */
export interface FeatureMap {
  data: Float32Array
  /** [batch, height, width, channels]. */
  shape: [number, number, number, number]
}

/** What one backbone call returns, depending on the outputs the runtime was opened with. */
export interface BackboneOutputs {
  /** Global average pool of the feature map: batch × channels float32, row-major. */
  embedding?: Float32Array
  featureMap?: FeatureMap
}

/**
 * The frozen backbone, ready to run: the one path every forward pass through it takes (stage 1
 * embeddings, evaluation, batch classification, the Grad-CAM feature map). ONNX Runtime where it loads,
 * otherwise tfjs in this process on the best tfjs backend.
 */
export interface BackboneRuntime {
  /** Ladder rung that runs it: 'ort', or the tfjs rung ('node-gpu', 'node', 'wasm', 'cpu'). */
  readonly backend: BackendInfo['active']
  /** Human-readable engine, e.g. 'onnxruntime 1.31.1 (cpu, 2 threads)' or 'tfjs wasm (fused plan)'. */
  readonly engine: string
  /** Height = width of the input, pixels. */
  readonly inputSize: number
  /** Channels of the feature map = embedding width. */
  readonly featureDim: number
  /** Images per call where this engine is fastest (8–32). */
  readonly preferredBatch: number
  /**
   * Runs `n` images given as n × s × s × 3 NHWC float32 (preprocessed as the backbone expects). The input
   * is only read. Rejects with the engine's error.
   */
  run(input: Float32Array, n: number): Promise<BackboneOutputs>
  /**
   * Present when the runtime was opened with `pixels` and scales in its own graph (ONNX Runtime): runs `n`
   * images given as n × s × s × 3 NHWC 8-bit RGB, before the scaling `pixelScaling`; same outputs as `run`
   * on the scaled values (to float32 rounding).
   */
  runPixels?(pixels: Uint8Array, n: number): Promise<BackboneOutputs>
  /** The scaling runPixels applies. */
  readonly pixelScaling?: InputScaling
  /** Frees the session or tensors; the runtime cannot run afterwards. */
  close(): Promise<void>
}

/** Options of openBackboneRuntime. */
export interface OpenBackboneOptions {
  outputs: readonly PlanOutput[]
  /** The selected backend; default selectBackend(). */
  backend?: BackendInfo
  /** Offer runPixels with this scaling where the engine can scale in its graph (ONNX Runtime). */
  pixels?: InputScaling
}

/**
 * Opens the runtime for a backbone given as a compiled InferencePlan, or as a LayersModel mapping
 * `[batch, s, s, 3]` to a feature map (compiled here; a model the plan does not cover runs layer by layer
 * on tfjs). A LayersModel stays the caller's: the runtime copies what it needs. An ONNX encoder file with its
 * declaration ("your own backbone") runs on ONNX Runtime only (onnx-encoder/encoder-runtime.ts).
 */
export async function openBackboneRuntime(
  source: InferencePlan | tf.LayersModel | OnnxEncoderSource,
  opts: OpenBackboneOptions
): Promise<BackboneRuntime> {
  if (opts.outputs.length === 0) throw new AppError('INVALID_ARGUMENT', 'backbone runtime: no output requested')
  if ((source as OnnxEncoderSource).kind === 'onnx-encoder')
    return openOnnxEncoder(source as OnnxEncoderSource, opts.outputs)
  source = source as InferencePlan | tf.LayersModel
  const backend = opts.backend ?? (await selectBackend())
  let plan: InferencePlan | null = null
  if ('ops' in source) plan = source
  else {
    try {
      plan = compileInferencePlan(source)
    } catch (err) {
      // A backbone the plan does not cover still runs, layer by layer, on tfjs.
      if (!(err instanceof AppError && err.code === 'UNSUPPORTED')) throw err
    }
  }
  let ortFailure = ''
  if (plan && backend.active === 'ort') {
    try {
      return await openOrtBackbone(plan, opts.outputs, opts.pixels)
    } catch (err) {
      // A graph ONNX Runtime refuses must not stop the job: the tfjs fallback computes the same values.
      ortFailure = `; ONNX Runtime refused the graph: ${(err as Error).message.split('\n')[0].slice(0, 200)}`
    }
  }
  const tfRung = backend.active === 'ort' ? backend.tfActive : backend.active
  const runtime = await openTfjsBackbone(plan ?? (source as tf.LayersModel), opts.outputs, tfRung)
  return ortFailure ? { ...runtime, engine: runtime.engine + ortFailure } : runtime
}

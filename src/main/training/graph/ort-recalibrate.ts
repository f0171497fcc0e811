import type * as Ort from 'onnxruntime-node'
import { createOrtSession, type OrtModule } from '../../onnx/ort-runtime'
import type { Batch, BatchSource } from '../loop/batch-source'
import { ColumnMoments } from '../loop/recalibrate-bn'
import { buildHeadInferenceGraph, type BatchNormInput } from './head-graph'
import type { HeadSpec } from './head-spec'

/** Rows per head-only inference run while re-estimating from collected features. */
const ROWS_PER_RUN = 1024

/** What the ORT trainer lends the re-estimation. */
export interface RecalibrationContext {
  ort: OrtModule
  /** BN layers to re-estimate, in forward order, as the main inference graph outputs their inputs. */
  layers: BatchNormInput[]
  /** The live weight array of a param (moving statistics are written into it). */
  at(name: string): Float32Array
  /** The live weight tensors fed to every session, by param name. */
  weightFeeds: Record<string, Ort.Tensor>
  /** Runs the main inference graph over a source, fetching `fetch`. */
  forEachInference(
    source: BatchSource,
    fetch: string[],
    signal: AbortSignal | undefined,
    visit: (b: Batch, out: Ort.InferenceSession.OnnxValueMapType) => void
  ): Promise<void>
  /** A batch's input values. */
  values(b: Batch): Float32Array
  /** See OrtTrainingGraphs.head. */
  head?: { spec: HeadSpec; input: string }
  threads?: number
}

/**
 * The StageTarget.recalibrateBatchNorm of an ORT trainer: BN layer by BN layer (each one's input depends on
 * the re-estimated statistics below it), the exact population mean and variance of its inference-mode input
 * over the source. A BN fed by the graph input (the first head BN on embeddings) is computed once per source,
 * as its input never changes. With `head` (stage 2: a backbone part below the head), one pass through the
 * full graph collects the head's input features and every head BN is re-estimated from those through a
 * head-only graph, instead of one full pass per BN. Returns a function that frees its session.
 */
export async function createRecalibration(
  ctx: RecalibrationContext
): Promise<{ run: (source: BatchSource, signal?: AbortSignal) => Promise<void>; release: () => Promise<void> }> {
  const inputMoments = new WeakMap<BatchSource, ColumnMoments>()
  const headGraph = ctx.head ? buildHeadInferenceGraph(ctx.head.spec) : null
  const headSession = headGraph ? await createOrtSession(headGraph.bytes, ctx.threads) : null
  const write = (bn: BatchNormInput, m: ColumnMoments): void => {
    if (m.rows > 0) m.writeTo(ctx.at(bn.movingMean), ctx.at(bn.movingVariance))
  }

  async function viaFullGraph(source: BatchSource, signal?: AbortSignal): Promise<void> {
    for (const bn of ctx.layers) {
      let m = bn.fromInput ? inputMoments.get(source) : undefined
      if (!m) {
        const fresh = new ColumnMoments(ctx.at(bn.movingMean).length)
        if (bn.fromInput) {
          for await (const b of source.batches(0)) {
            fresh.add(ctx.values(b))
            b.x.dispose()
            b.y.dispose()
          }
          inputMoments.set(source, fresh)
        } else {
          await ctx.forEachInference(source, [bn.value], signal, (_, out) =>
            fresh.add(out[bn.value].data as Float32Array)
          )
        }
        m = fresh
      }
      write(bn, m)
    }
  }

  async function viaHeadFeatures(source: BatchSource, signal?: AbortSignal): Promise<void> {
    const { spec, input } = ctx.head!
    const io = headGraph!.io
    const chunks: Float32Array[] = []
    await ctx.forEachInference(source, [input], signal, (_, out) =>
      chunks.push((out[input].data as Float32Array).slice())
    )
    const features = new Float32Array(chunks.reduce((n, c) => n + c.length, 0))
    chunks.reduce((at, c) => (features.set(c, at), at + c.length), 0)
    const rows = features.length / spec.inputDim
    const feeds = Object.fromEntries(spec.params.map((p) => [p.name, ctx.weightFeeds[p.name]]))
    const wanted = new Set(ctx.layers.map((l) => l.movingMean))
    for (const bn of io.bnInputs.filter((b) => wanted.has(b.movingMean))) {
      const m = new ColumnMoments(ctx.at(bn.movingMean).length)
      if (bn.fromInput) m.add(features)
      else {
        for (let r = 0; r < rows; r += ROWS_PER_RUN) {
          const n = Math.min(ROWS_PER_RUN, rows - r)
          const x = new ctx.ort.Tensor('float32', features.subarray(r * spec.inputDim, (r + n) * spec.inputDim), [
            n,
            spec.inputDim
          ])
          const out = await headSession!.run({ ...feeds, [io.x]: x }, [bn.value])
          m.add(out[bn.value].data as Float32Array)
        }
      }
      write(bn, m)
    }
  }

  return {
    run: (source, signal) => (ctx.head ? viaHeadFeatures(source, signal) : viaFullGraph(source, signal)),
    release: async () => {
      await headSession?.release()
    }
  }
}

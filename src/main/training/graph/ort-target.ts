import type * as Ort from 'onnxruntime-node'
import { AppError } from '../../../shared/errors'
import { createOrtSession, loadOrt } from '../../onnx/ort-runtime'
import { augmentValues } from '../augment/augment-batch'
import type { AugmentConfig } from '../augment/config'
import { ArrayAdam } from '../loop/adam'
import type { Batch, BatchSource } from '../loop/batch-source'
import { deriveSeed, mulberry32 } from '../loop/random'
import { checkNamedWeights, type StageTarget, type StepOutcome } from '../loop/stage-target'
import type { NamedWeights } from '../loop/weights'
import type { InferenceGraphIO, TrainingGraphIO } from './head-graph'
import type { HeadSpec, ParamSpec } from './head-spec'
import { createRecalibration } from './ort-recalibrate'

/** A model as two ONNX graphs over the same weights (see head-graph.ts; stage 2 builds its own). */
export interface OrtTrainingGraphs {
  /** For messages. */
  name: string
  /** Every weight, in snapshot order; `name` is both the NamedWeight name and the graphs' input name. */
  params: ParamSpec[]
  /** Shape of one sample of `x` (e.g. `[1280]`, or `[7, 7, 320]` for cached feature maps). */
  inputShape: number[]
  numClasses: number
  train: { bytes: Uint8Array; io: TrainingGraphIO }
  infer: { bytes: Uint8Array; io: InferenceGraphIO }
  /**
   * For a model with layers below its head (stage 2): the head's spec and the inference graph's output
   * holding the head's input features `[N, spec.inputDim]`. BN re-estimation then runs the full graph once
   * per epoch and the head BN layers from those features, instead of one full pass per BN layer.
   */
  head?: { spec: HeadSpec; input: string }
}

/** Options of createOrtTarget. */
export interface OrtTargetOptions {
  /** Intra-op threads per session (default: every core, see ortThreads). */
  threads?: number
  /** Receives the final weights when the stage ends (the head trainer writes them into its LayersModel). */
  onEnd?: (weights: NamedWeights) => void | Promise<void>
}

/** A StageTarget on ONNX Runtime, plus inference over a source. */
export interface OrtTarget extends StageTarget {
  /** Inference-mode probabilities `[rows, K]` of every sample of `source`, in its unshuffled order. */
  predict(source: BatchSource, signal?: AbortSignal): Promise<Float32Array>
}

const CLIP = 1e-7

function argmaxCorrect(probs: Float32Array, labels: Int32Array, k: number): number {
  let correct = 0
  for (let r = 0; r < labels.length; r++) {
    let best = 0
    for (let c = 1; c < k; c++) if (probs[r * k + c] > probs[r * k + best]) best = c
    if (best === labels[r]) correct++
  }
  return correct
}

function batchValues(b: Batch, augment: AugmentConfig | undefined, stepSeed: number): Float32Array {
  const values = b.xValues ?? (b.x.dataSync() as Float32Array)
  if (!augment || b.x.rank !== 4) return values
  const shape = b.x.shape as [number, number, number, number]
  return augmentValues(values, shape, augment, mulberry32(deriveSeed(stepSeed, 'augment')))
}

/**
 * Trains a model expressed as ONNX graphs on ONNX Runtime: each step feeds the batch, its dropout masks
 * (seeded per step and layer) and every weight into the training session, then runs Adam (ArrayAdam) on
 * the returned gradients and Keras' moving-average update of the BN statistics, all on Float32Arrays the
 * sessions read in place, so nothing is rebuilt between steps. Throws UNSUPPORTED when ORT cannot load.
 */
export async function createOrtTarget(
  graphs: OrtTrainingGraphs,
  initial: NamedWeights,
  opts: OrtTargetOptions = {}
): Promise<OrtTarget> {
  const status = loadOrt()
  if (!status.ok) throw new AppError('UNSUPPORTED', `training "${graphs.name}" on ONNX Runtime: ${status.reason}`)
  const ort = status.ort
  const { params, numClasses: k, inputShape } = graphs
  const bad = checkNamedWeights(params, initial, `model "${graphs.name}"`)
  if (bad) throw new AppError('INVALID_ARGUMENT', bad)
  const trainIo = graphs.train.io
  const inferIo = graphs.infer.io
  const trained = params.flatMap((p, i) => (trainIo.grads[p.name] ? [i] : []))
  // Trained weights live in the optimizer's memory (updated in place there); the rest in plain arrays.
  const adam = new ArrayAdam(trained.map((i) => params[i].shape))
  const values = params.map((p, i) => {
    const k = trained.indexOf(i)
    return k >= 0 ? adam.weights[k] : new Float32Array(initial[i].values.length)
  })
  values.forEach((v, i) => v.set(initial[i].values))
  const index = new Map(params.map((p, i) => [p.name, i]))
  const at = (name: string): Float32Array => values[index.get(name)!]
  const feedsOfWeights: Record<string, Ort.Tensor> = Object.fromEntries(
    params.map((p, i) => [p.name, new ort.Tensor('float32', values[i], p.shape)])
  )
  // ONNX Runtime writes each gradient straight into the optimizer's gradient array.
  const fetches: Record<string, Ort.Tensor | null> = {
    [trainIo.loss]: null,
    [trainIo.probs]: null,
    ...Object.fromEntries(
      trainIo.batchStats.flatMap((s) => [
        [s.batchMean, null],
        [s.batchVariance, null]
      ])
    ),
    ...Object.fromEntries(
      trained.map((i, k) => [trainIo.grads[params[i].name], new ort.Tensor('float32', adam.grads[k], params[i].shape)])
    )
  }
  const [trainSession, inferSession] = await Promise.all([
    // No spin-waiting: a training step is hundreds of short ops, see OrtSessionOptions.
    createOrtSession(graphs.train.bytes, opts.threads, { spinning: false }),
    createOrtSession(graphs.infer.bytes, opts.threads, { spinning: false })
  ])
  let begun = false
  const optimizer = (): ArrayAdam => {
    if (!begun) throw new AppError('INTERNAL', `training "${graphs.name}": begin() was not called`)
    return adam
  }
  const dims = (n: number): number[] => [n, ...inputShape]

  async function forEachInference(
    source: BatchSource,
    fetch: string[],
    signal: AbortSignal | undefined,
    visit: (b: Batch, out: Ort.InferenceSession.OnnxValueMapType) => void
  ): Promise<void> {
    for await (const b of source.batches(0)) {
      try {
        if (signal?.aborted) throw new AppError('CANCELLED', `evaluation of "${graphs.name}" cancelled`)
        const x = new ort.Tensor('float32', batchValues(b, undefined, 0), dims(b.labels.length))
        visit(b, await inferSession.run({ ...feedsOfWeights, [inferIo.x]: x }, fetch))
      } finally {
        b.x.dispose()
        b.y.dispose()
      }
    }
  }

  // Only BN layers that train in batch mode drift from their statistics; frozen ones keep theirs.
  const layers = inferIo.bnInputs.filter((b) => trainIo.batchStats.some((s) => s.movingMean === b.movingMean))
  const recalibration =
    layers.length > 0
      ? await createRecalibration({
          ort,
          layers,
          at,
          weightFeeds: feedsOfWeights,
          forEachInference,
          values: (b) => batchValues(b, undefined, 0),
          head: graphs.head,
          threads: opts.threads
        })
      : null
  const target: OrtTarget = {
    name: graphs.name,
    get lr() {
      return optimizer().lr
    },
    set lr(v: number) {
      optimizer().lr = v
    },
    begin(lr) {
      adam.reset(lr)
      begun = true
    },
    async trainBatch(b, stepSeed, classWeights, augment): Promise<StepOutcome> {
      const n = b.labels.length
      const oneHot = new Float32Array(n * k)
      const weights = new Float32Array(n)
      for (let r = 0; r < n; r++) {
        oneHot[r * k + b.labels[r]] = 1
        weights[r] = classWeights ? classWeights[b.labels[r]] : 1
      }
      const feeds: Record<string, Ort.Tensor> = {
        ...feedsOfWeights,
        [trainIo.x]: new ort.Tensor('float32', batchValues(b, augment, stepSeed), dims(n)),
        [trainIo.oneHot]: new ort.Tensor('float32', oneHot, [n, k]),
        [trainIo.sampleWeights]: new ort.Tensor('float32', weights, [n])
      }
      for (const d of trainIo.dropouts) {
        // Inverted dropout: kept units are scaled by 1/(1 − rate), as Keras does.
        const rng = mulberry32(deriveSeed(stepSeed, 'dropout', d.index))
        const mask = new Float32Array(n * d.units)
        const keep = 1 / (1 - d.rate)
        for (let j = 0; j < mask.length; j++) mask[j] = rng() < d.rate ? 0 : keep
        feeds[d.input] = new ort.Tensor('float32', mask, [n, d.units])
      }
      const out = await trainSession.run(feeds, fetches)
      const probs = out[trainIo.probs].data as Float32Array
      optimizer().apply()
      for (const s of trainIo.batchStats) {
        const mean = at(s.movingMean)
        const variance = at(s.movingVariance)
        const bm = out[s.batchMean].data as Float32Array
        const bv = out[s.batchVariance].data as Float32Array
        for (let c = 0; c < mean.length; c++) {
          mean[c] = mean[c] * s.momentum + bm[c] * (1 - s.momentum)
          variance[c] = variance[c] * s.momentum + bv[c] * (1 - s.momentum)
        }
      }
      return { loss: (out[trainIo.loss].data as Float32Array)[0], correct: argmaxCorrect(probs, b.labels, k) }
    },
    async evaluate(source, signal) {
      let lossSum = 0
      let correct = 0
      let seen = 0
      await forEachInference(source, [inferIo.probs], signal, (b, out) => {
        const p = out[inferIo.probs].data as Float32Array
        for (let r = 0; r < b.labels.length; r++) {
          lossSum -= Math.log(Math.min(Math.max(p[r * k + b.labels[r]], CLIP), 1 - CLIP))
        }
        correct += argmaxCorrect(p, b.labels, k)
        seen += b.labels.length
      })
      if (seen === 0) throw new AppError('INVALID_ARGUMENT', `evaluation of "${graphs.name}": the source is empty`)
      return { loss: lossSum / seen, accuracy: correct / seen }
    },
    async predict(source, signal) {
      const probs = new Float32Array(source.size * k)
      let row = 0
      await forEachInference(source, [inferIo.probs], signal, (b, out) => {
        probs.set(out[inferIo.probs].data as Float32Array, row * k)
        row += b.labels.length
      })
      return probs.subarray(0, row * k)
    },
    exportWeights: () => params.map((p, i) => ({ name: p.name, shape: [...p.shape], values: values[i].slice() })),
    importWeights(weights, what) {
      const err = checkNamedWeights(params, weights, what)
      if (err) throw new AppError('INVALID_ARGUMENT', err)
      weights.forEach((w, i) => values[i].set(w.values))
    },
    exportOptimizer: () => optimizer().exportState(),
    importOptimizer: (state) => optimizer().importState(state),
    async end() {
      begun = false
      await Promise.all([trainSession.release(), inferSession.release(), recalibration?.release()])
      await opts.onEnd?.(target.exportWeights())
    }
  }
  if (recalibration) target.recalibrateBatchNorm = recalibration.run
  return target
}

import type { Calibration, StageEstimate, TrainingConfig, TrainingEstimate } from '../../../../shared/contract'
import { formatDuration } from '../../../../shared/format-duration'
import { headFlops, type MeasureResult } from './job'

/** Stage 2 longer than this is reported as not feasible (it still runs if launched; the UI warns first). */
export const STAGE2_FEASIBLE_SECONDS = 12 * 3600

/**
 * Validation runs forward only (no gradients, no optimizer update): about a third of a training step per
 * sample, the same factor run/eta.ts uses for the live ETA.
 */
const VALIDATION_COST = 0.35

const rate = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2))

/** Speeds an estimate uses, each measured on this machine (see measure.ts) and possibly cached. */
export interface EstimateInputs {
  config: TrainingConfig
  images: { train: number; val: number; test: number }
  numClasses: number
  /** The active backend and whether it is native (tfjs-node) and can train convolutions. */
  backend: { name: string; native: boolean; supportsConvTraining: boolean }
  embed: (NonNullable<MeasureResult['embed']> & { measuredAt: string }) | null
  head: (NonNullable<MeasureResult['head']> & { measuredAt: string }) | null
  stage2: (NonNullable<MeasureResult['stage2']> & { measuredAt: string }) | null
  /** Measured start of an engine process (Node, tfjs, backend), seconds; null when never measured. */
  engineStartSeconds?: number | null
  /** Every part came from the cache. */
  fromCache: boolean
  /** Extra warnings from the caller (e.g. measured while another run was training). */
  notes?: string[]
}

/** What stage 1 trains on: the config's mode, with 'auto' resolved exactly as run-training does. */
export function stage1Mode(config: TrainingConfig, native: boolean): 'embeddings' | 'end-to-end' {
  return config.stage1.mode === 'auto' ? (native ? 'end-to-end' : 'embeddings') : config.stage1.mode
}

/**
 * The measured head speed scaled to the configured head: dense multiply-adds per sample dominate, so the
 * rate scales with their ratio (the cache key holds the batch size, which changes per-sample overhead).
 */
function scaledHeadRate(head: NonNullable<EstimateInputs['head']>, config: TrainingConfig, numClasses: number): number {
  const target = headFlops(head.featureDim, config.head.fc1Units, config.head.fc2Units, numClasses)
  return head.samplesPerSecond * (head.flopsPerSample / target)
}

const need = <T>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`estimate: the ${what} speed was not measured`)
  return v
}

/**
 * Seconds per part from measured speeds: embeddings once, then per-epoch training plus validation times the
 * configured epochs (maxima: early stopping may end a stage sooner), then evaluation. Never drops a stage the
 * config enables: a slow stage 2 is estimated and warned about, not skipped.
 */
export function estimateTraining(inp: EstimateInputs): TrainingEstimate {
  const { config, images, backend } = inp
  const parts: StageEstimate[] = []
  const warnings: string[] = [...(inp.notes ?? [])]
  const s1 = config.stage1.enabled && config.stage1.epochs > 0
  const s2 = config.stage2.enabled && config.stage2.epochs > 0
  const mode = stage1Mode(config, backend.native)
  const variants = config.augmentation.enabled ? config.stage1.augmentVariants : 0
  const trainRows = images.train * (1 + variants)
  let evalRate: { value: number; backend: string; basis: string } | null = null
  if ((s1 || s2) && (inp.engineStartSeconds != null || inp.embed)) {
    const engine = inp.engineStartSeconds ?? 0
    const load = inp.embed?.loadSeconds ?? 0
    const workers = s1 && mode === 'embeddings' ? (inp.embed?.workersStartSeconds ?? 0) : 0
    parts.push({
      part: 'setup',
      label: workers ? 'Engine start, backbone load and embedding workers' : 'Engine start and backbone load',
      seconds: engine + load + workers,
      backend: backend.name,
      epochs: null,
      basis: `measured: engine ${engine.toFixed(1)} s, backbone ${load.toFixed(1)} s${workers ? `, workers ${workers.toFixed(1)} s` : ''}`
    })
  }

  if (s1 && mode === 'embeddings') {
    const embed = need(inp.embed, 'embedding')
    const head = need(inp.head, 'head training')
    const n = trainRows + images.val + images.test
    parts.push({
      part: 'embeddings',
      label: `Backbone embeddings of ${n} images${variants ? ` (${variants} augmented variant${variants > 1 ? 's' : ''} per training image)` : ''}; images already cached are skipped`,
      seconds: n / embed.imagesPerSecond,
      backend: backend.name,
      epochs: null,
      basis: `${rate(embed.imagesPerSecond)} img/s backbone embedding (${embed.workers ? `${embed.workers} workers` : 'engine thread'})`
    })
    const headRate = scaledHeadRate(head, config, inp.numClasses)
    const perEpoch = trainRows / headRate + (images.val * VALIDATION_COST) / headRate
    parts.push({
      part: 'stage1',
      label: `Stage 1: head on cached embeddings, ${config.stage1.epochs} epochs`,
      seconds: perEpoch * config.stage1.epochs,
      backend: backend.name,
      epochs: config.stage1.epochs,
      basis: `${rate(headRate)} samples/s head training (batch ${config.batchSize}${head.backend ? `, ${head.backend === 'ort' ? 'ONNX Runtime' : `tfjs ${head.backend}`}` : ''})`
    })
    evalRate = {
      value: headRate / VALIDATION_COST,
      backend: backend.name,
      basis: 'cached test embeddings through the head'
    }
  } else if (s1) {
    const embed = need(inp.embed, 'forward')
    // Frozen base: every training and validation image goes through the backbone each epoch, outside the tape.
    const perEpoch = (images.train + images.val) / embed.forwardImagesPerSecond
    parts.push({
      part: 'stage1',
      label: `Stage 1: head end to end (frozen backbone on every image), ${config.stage1.epochs} epochs`,
      seconds: perEpoch * config.stage1.epochs,
      backend: backend.name,
      epochs: config.stage1.epochs,
      basis: `${rate(embed.forwardImagesPerSecond)} img/s backbone forward in the engine thread`
    })
    evalRate = { value: embed.forwardImagesPerSecond, backend: backend.name, basis: 'backbone forward' }
    if (!backend.native) {
      warnings.push(
        `Stage 1 runs end to end: every image goes through the backbone every epoch. On ${backend.name}, the embeddings mode (features computed once, in parallel) is much faster.`
      )
    }
  }

  let stage2Seconds = 0
  if (s2) {
    const st = need(inp.stage2, 'stage 2')
    const perEpoch = images.train / st.trainImagesPerSecond + images.val / st.forwardImagesPerSecond
    stage2Seconds = perEpoch * config.stage2.epochs
    parts.push({
      part: 'stage2',
      label: `Stage 2: top ${config.stage2.unfreezeTopLayers} backbone layers unfrozen, ${config.stage2.epochs} epochs`,
      seconds: stage2Seconds,
      backend: st.backend,
      epochs: config.stage2.epochs,
      basis: `${rate(st.trainImagesPerSecond)} img/s forward + backward on ${st.backend}`
    })
    evalRate = { value: st.forwardImagesPerSecond, backend: st.backend, basis: `forward on ${st.backend}` }
    if (!backend.supportsConvTraining && st.backend !== backend.name && st.backend !== 'ort') {
      const fwd = inp.embed?.forwardImagesPerSecond
      const measured = fwd
        ? ` (measured here: forward ${rate(fwd)} img/s on ${backend.name}, ${rate(st.forwardImagesPerSecond)} on ${st.backend}, ${Math.max(1, Math.round(fwd / st.forwardImagesPerSecond))}×)`
        : ''
      warnings.push(
        `Stage 2 runs on the ${st.backend} backend, typically ~20× slower than ${backend.name}, because ${backend.name} has no convolution gradient kernels${measured}. ` +
          `Stage 2 alone is estimated at ${formatDuration(stage2Seconds)}. Turn stage 2 off to train the head only, or use a native backend (tfjs-node) for fine-tuning.`
      )
    }
  }
  const stage2Feasible = !s2 || stage2Seconds <= STAGE2_FEASIBLE_SECONDS
  if (!stage2Feasible) {
    warnings.push(
      `Stage 2 would take about ${formatDuration(stage2Seconds)} (more than ${STAGE2_FEASIBLE_SECONDS / 3600} h) on this machine: it will run if you launch, but consider fewer epochs, a smaller input size or stage 2 off.`
    )
  }

  const evalN = images.test || images.val
  if ((s1 || s2) && evalRate && evalN > 0) {
    parts.push({
      part: 'evaluation',
      label: `Evaluation on the ${images.test ? 'test' : 'validation'} split (${evalN} images)`,
      seconds: evalN / evalRate.value,
      backend: evalRate.backend,
      epochs: null,
      basis: evalRate.basis
    })
  }
  if (!images.test)
    warnings.push('The dataset has no test split: the evaluation will use the validation split and be optimistic.')
  if (!s1 && !s2) warnings.push('Both stages are off or have 0 epochs: there is nothing to train.')
  if (config.earlyStopping.enabled && (s1 || s2)) {
    warnings.push(
      `Epoch counts are maxima: early stopping (patience ${config.earlyStopping.patience}) often ends a stage sooner.`
    )
  }
  if (config.backbone.kind === 'tfjs-dir') warnings.push('Speeds were measured on the tfjs folder’s own model.')

  const measured = [inp.embed, inp.head, inp.stage2].filter((p): p is NonNullable<typeof p> => p !== null)
  const calibration: Calibration = {
    backend: backend.name,
    inputSize: config.inputSize,
    embedImagesPerSecond: inp.embed?.imagesPerSecond ?? 0,
    embedWorkers: inp.embed?.workers ?? 0,
    forwardImagesPerSecond: inp.embed?.forwardImagesPerSecond ?? 0,
    headSamplesPerSecond: inp.head ? scaledHeadRate(inp.head, config, inp.numClasses) : 0,
    stage2: inp.stage2
      ? {
          backend: inp.stage2.backend,
          trainImagesPerSecond: inp.stage2.trainImagesPerSecond,
          forwardImagesPerSecond: inp.stage2.forwardImagesPerSecond
        }
      : null,
    measuredAt: measured.map((p) => p.measuredAt).sort()[0] ?? new Date().toISOString(),
    fromCache: inp.fromCache
  }
  return {
    seconds: parts.reduce((a, p) => a + p.seconds, 0),
    perStage: parts,
    backend: backend.name,
    stage2Feasible,
    warnings,
    images,
    calibration
  }
}

import type * as tf from '@tensorflow/tfjs'
import type { FailedInput } from '../../../shared/contract'
import { AppError, toEnvelope } from '../../../shared/errors'
import { openBackboneRuntime, type BackboneRuntime, type FeatureMap } from '../../backbone-runtime/backbone-runtime'
import { runBatches } from '../../backbone-runtime/run-batches'
import { modelInputSize } from '../../training/backbone/model-surgery'
import { loadModelInput, loadModelPixels } from '../../training/preprocess/load-model-input'
import { loadModelArtifact } from '../../training/job/model-artifact'
import { quantizeCams } from '../gradcam/grad-cam'
import { openSaliencyEngine, type SaliencyEngine } from '../gradcam/saliency-engine'
import type { InputMeta } from '../input/input-meta'
import { listFolderInputs } from '../input/list-inputs'
import { MAX_SCAN_FILES } from '../../imaging/files/scan-folder'
import type { ClassifiedRow, ClassifyJob, ClassifyJobResult, EngineClassifyEvent } from '../job'
import { splitClassifier } from '../model/split-classifier'
import { openEncoderClassifier, type EncoderClassifier } from '../model/encoder-classifier'
import { predictWithTta, standardTta } from '../../evidence/tta'

type Emit = (e: EngineClassifyEvent) => void

/** One prepared batch: the model inputs of the inputs that loaded, and those that did not. */
interface PreparedBatch {
  /** Scaled floats, or 8-bit pixels where the runtime scales them itself (runPixels; no TTA). */
  input: Float32Array | Uint8Array
  ok: InputMeta[]
  failures: FailedInput[]
}

/**
 * Classifies every image, DICOM frame and volume slice (along `job.volumePlane`, default axial) under `job.folder` with the model in `job.modelDir`, in batches,
 * reusing the model's stored preprocessing (card.preprocessing) unchanged. The backbone up to the saliency
 * engine's layer (card.featureLayer, or card.saliency.layer when maps are asked for and the card has a
 * baseline; gradcam/saliency-engine.ts) runs in the backbone runtime (ONNX Runtime where it loads), the
 * rest, the head and the maps in the saliency engine (ONNX Runtime for LayerCAM where it loads, else tfjs). Files that do not load are reported as failures and the job goes on. Emits the
 * scan result, then one `results` event per batch; with `job.tta` each batch is also run once per augmentation
 * and the rows carry the averaged probabilities and their spread (`uncertainty`); honours `signal` between batches (status `cancelled`,
 * rows already emitted stand). The folder is only read.
 */
export async function classifyFolder(
  job: Omit<ClassifyJob, 'kind' | 'jobId'>,
  emit: Emit,
  signal?: AbortSignal
): Promise<ClassifyJobResult> {
  const started = performance.now()
  if (job.batchSize !== undefined && (!Number.isInteger(job.batchSize) || job.batchSize < 1 || job.batchSize > 64)) {
    throw new AppError('INVALID_ARGUMENT', `classify: batchSize ${job.batchSize} is not an integer in 1–64`)
  }
  let runtime: BackboneRuntime | null = null
  let open = true
  const send: Emit = (e) => {
    if (open) emit(e)
  }
  let model: tf.LayersModel | null = null
  let split: ReturnType<typeof splitClassifier> | null = null
  let saliency: SaliencyEngine | null = null
  let encoder: EncoderClassifier | null = null
  try {
    send({ type: 'phase', text: 'Scanning the folder and loading the model' })
    const [found, artifact] = await Promise.all([
      listFolderInputs(job.folder, job.volumePlane),
      loadModelArtifact(job.modelDir)
    ])
    model = artifact.model
    const { card } = artifact
    if (found.truncated) {
      found.failures.push({
        path: job.folder,
        frame: null,
        code: 'UNSUPPORTED',
        message: `${job.folder}: holds more than ${MAX_SCAN_FILES} files; only the first ${MAX_SCAN_FILES} were looked at`
      })
    }
    send({ type: 'inputs', total: found.inputs.length, failures: found.failures })
    const what = `model ${job.modelDir}`
    const spec = card.preprocessing
    let k: number
    if (card.encoder) {
      // A run on your own ONNX encoder: model.json is its head; the encoder runs in the backbone runtime.
      encoder = await openEncoderClassifier(job.modelDir, card, model, job.saliency)
      runtime = encoder.runtime
      k = encoder.numClasses
    } else {
      split = splitClassifier(model, card.featureLayer, what)
      k = split.numClasses
      if (card.classNames.length !== k) {
        throw new AppError(
          'CORRUPT',
          `${what}: the card names ${card.classNames.length} classes but the model has ${k} outputs`
        )
      }
      if (modelInputSize(model) !== spec.inputSize) {
        throw new AppError(
          'CORRUPT',
          `${what}: the card preprocesses to ${spec.inputSize} px but the model takes ${modelInputSize(model)} px`
        )
      }

      saliency = await openSaliencyEngine(split, card, job.modelDir, job.saliency, (why) =>
        send({ type: 'phase', text: why })
      )
      // Without test-time augmentation (which warps float inputs), images go in as 8-bit pixels the graph scales.
      runtime = await openBackboneRuntime(saliency.backbone, {
        outputs: ['featureMap'],
        pixels: job.tta ? undefined : spec.scaling
      })
    }
    const engine = runtime.engine
    const batchSize = job.batchSize ?? runtime.preferredBatch
    send({ type: 'engine', backend: runtime.backend, engine })
    send({ type: 'phase', text: `Classifying ${found.inputs.length} images with ${engine}` })
    if (job.saliency)
      send({
        type: 'phase',
        text: saliency
          ? `Maps: ${saliency.method.kind} at ${saliency.method.layer} on ${saliency.engine}`
          : encoder?.method
            ? `Maps: ${encoder.method.kind} at the ${encoder.method.layer} on tfjs`
            : (encoder?.noMaps ?? '')
      })

    const augmentations = job.tta === 'standard' ? standardTta(spec.inputSize) : (job.tta ?? null)
    if (augmentations)
      send({ type: 'phase', text: `Test-time augmentation: ${augmentations.map((a) => a.name).join(', ')}` })
    const inputs = found.inputs
    // A failing frame is named only where the file has several; otherwise the file itself failed.
    const multiFrame = new Set(inputs.filter((it) => it.frame > 0 || it.kind === 'nifti').map((it) => it.path))
    const perImage = spec.inputSize * spec.inputSize * 3
    const batches = Math.ceil(inputs.length / batchSize)
    let classified = 0
    let failed = found.failures.length

    const pixels = runtime.runPixels !== undefined
    const prepare = async (b: number): Promise<PreparedBatch> => {
      const items = inputs.slice(b * batchSize, (b + 1) * batchSize)
      const loaded = await Promise.all(
        items.map(async (it) => {
          try {
            const plane = it.kind === 'nifti' ? (job.volumePlane ?? 'axial') : undefined
            const x = pixels
              ? await loadModelPixels(it.path, spec, it.frame, plane, { out: new Uint8Array(perImage), offset: 0 })
              : await loadModelInput(it.path, spec, it.frame, plane)
            return { it, x }
          } catch (err) {
            const e = toEnvelope(err)
            const frame = multiFrame.has(it.path) ? it.frame : null
            return { it, failure: { path: it.path, frame, code: e.code, message: e.message } }
          }
        })
      )
      const ok = loaded.filter((l) => l.x).map((l) => l.it)
      const input = pixels ? new Uint8Array(ok.length * perImage) : new Float32Array(ok.length * perImage)
      let j = 0
      for (const l of loaded) if (l.x) input.set(l.x, perImage * j++)
      return { input, ok, failures: loaded.flatMap((l) => (l.failure ? [l.failure] : [])) }
    }
    const s = saliency
    const e = encoder
    // One batch → probabilities and (maps asked for, MobileNetV2) maps of h × w; probabilities alone for TTA.
    const classifyBatch = async (lane: BackboneRuntime, input: Float32Array | Uint8Array, n: number) => {
      if (e && input instanceof Float32Array) {
        const { h, w, ...out } = await e.predict(lane, input, n, job.saliency)
        return { out, h, w }
      }
      const maps = (
        input instanceof Uint8Array
          ? await (lane.runPixels as NonNullable<BackboneRuntime['runPixels']>)(input, n)
          : await lane.run(input, n)
      ).featureMap as FeatureMap
      const sal = s as SaliencyEngine
      return { out: await sal.predict(maps, job.saliency), h: maps.shape[1], w: maps.shape[2] }
    }
    const probabilitiesOf = (lane: BackboneRuntime, input: Float32Array, n: number): Promise<Float32Array> =>
      e
        ? e.predict(lane, input, n, false).then((r) => r.probabilities)
        : headProbabilities(lane, s as SaliencyEngine, input, n)
    const run = async (lane: BackboneRuntime, _b: number, p: PreparedBatch): Promise<void> => {
      const rows: ClassifiedRow[] = []
      if (p.ok.length > 0) {
        const { out, h, w } = await classifyBatch(lane, p.input, p.ok.length)
        const tta = augmentations
          ? await predictWithTta(
              p.input as Float32Array,
              p.ok.length,
              { height: spec.inputSize, width: spec.inputSize, channels: 3 },
              k,
              augmentations,
              (batch, count) => probabilitiesOf(lane, batch, count),
              out.probabilities
            )
          : null
        const probabilities = tta?.probs ?? out.probabilities
        p.ok.forEach((it, i) => {
          const q = out.cams ? quantizeCams(out.cams.subarray(i * k * h * w, (i + 1) * k * h * w), k) : null
          rows.push({
            ...it,
            probabilities: probabilities.slice(i * k, (i + 1) * k),
            cam: q?.bytes ?? null,
            camScale: q?.scale ?? null,
            camWidth: q ? w : 0,
            camHeight: q ? h : 0,
            uncertainty: tta ? tta.spread[i] : null
          })
        })
      }
      classified += rows.length
      failed += p.failures.length
      send({ type: 'results', rows, failures: p.failures })
    }
    let status: ClassifyJobResult['status'] = 'completed'
    try {
      await runBatches(batches, [runtime], prepare, run, signal, `classifying ${job.folder}`)
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') status = 'cancelled'
      else throw err
    }
    open = false
    return {
      status,
      classified,
      failed,
      backend: runtime.backend,
      engine,
      saliencyMethod: job.saliency ? (s?.method ?? e?.method ?? null) : null,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    open = false
    await runtime?.close()
    await saliency?.dispose()
    encoder?.dispose()
    split?.dispose()
    model?.dispose()
  }
}

/** Softmax of the model on one batch of model inputs (no saliency): one test-time augmentation pass. */
async function headProbabilities(
  lane: BackboneRuntime,
  saliency: SaliencyEngine,
  batch: Float32Array,
  count: number
): Promise<Float32Array> {
  const maps = (await lane.run(batch, count)).featureMap as FeatureMap
  return (await saliency.predict(maps, false)).probabilities
}

/** Engine entry for a `classify` job. */
export function runClassify(job: ClassifyJob, emit: Emit, signal: AbortSignal): Promise<ClassifyJobResult> {
  return classifyFolder(job, emit, signal)
}

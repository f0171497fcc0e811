import * as tf from '@tensorflow/tfjs'
import type { FailedInput } from '../../../shared/contract'
import { AppError, toEnvelope } from '../../../shared/errors'
import { openBackboneRuntime, type BackboneRuntime, type FeatureMap } from '../../backbone-runtime/backbone-runtime'
import { runBatches } from '../../backbone-runtime/run-batches'
import { modelInputSize } from '../../training/backbone/model-surgery'
import { loadModelInput } from '../../training/preprocess/load-model-input'
import { loadModelArtifact } from '../../training/job/model-artifact'
import { quantizeCams } from '../gradcam/grad-cam'
import { openSaliencyEngine, type SaliencyEngine } from '../gradcam/saliency-engine'
import type { InputMeta } from '../input/input-meta'
import { listFolderInputs } from '../input/list-inputs'
import { MAX_SCAN_FILES } from '../../imaging/files/scan-folder'
import type { ClassifiedRow, ClassifyJob, ClassifyJobResult, EngineClassifyEvent } from '../job'
import { splitClassifier } from '../model/split-classifier'
import { predictWithTta, standardTta } from '../../evidence/tta'

type Emit = (e: EngineClassifyEvent) => void

/** One prepared batch: the model inputs of the inputs that loaded, and those that did not. */
interface PreparedBatch {
  input: Float32Array
  ok: InputMeta[]
  failures: FailedInput[]
}

/**
 * Classifies every image and DICOM frame under `job.folder` with the model in `job.modelDir`, in batches,
 * reusing the model's stored preprocessing (card.preprocessing) unchanged. The backbone up to the saliency
 * engine's layer (card.featureLayer, or card.saliency.layer when maps are asked for and the card has a
 * baseline; gradcam/saliency-engine.ts) runs in the backbone runtime (ONNX Runtime where it loads), the
 * rest, the head and the maps on tfjs. Files that do not load are reported as failures and the job goes on. Emits the
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
  try {
    send({ type: 'phase', text: 'Scanning the folder and loading the model' })
    const [found, artifact] = await Promise.all([listFolderInputs(job.folder), loadModelArtifact(job.modelDir)])
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
    split = splitClassifier(model, card.featureLayer, what)
    const k = split.numClasses
    if (card.classNames.length !== k) {
      throw new AppError(
        'CORRUPT',
        `${what}: the card names ${card.classNames.length} classes but the model has ${k} outputs`
      )
    }
    const spec = card.preprocessing
    if (modelInputSize(model) !== spec.inputSize) {
      throw new AppError(
        'CORRUPT',
        `${what}: the card preprocesses to ${spec.inputSize} px but the model takes ${modelInputSize(model)} px`
      )
    }

    saliency = openSaliencyEngine(split, card, job.modelDir, job.saliency, (why) => send({ type: 'phase', text: why }))
    runtime = await openBackboneRuntime(saliency.backbone, { outputs: ['featureMap'] })
    const engine = runtime.engine
    const batchSize = job.batchSize ?? runtime.preferredBatch
    send({ type: 'engine', backend: runtime.backend, engine })
    send({ type: 'phase', text: `Classifying ${found.inputs.length} images with ${engine}` })

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

    const prepare = async (b: number): Promise<PreparedBatch> => {
      const items = inputs.slice(b * batchSize, (b + 1) * batchSize)
      const loaded = await Promise.all(
        items.map(async (it) => {
          try {
            return { it, x: await loadModelInput(it.path, spec, it.frame, it.kind === 'nifti' ? 'axial' : undefined) }
          } catch (err) {
            const e = toEnvelope(err)
            const frame = multiFrame.has(it.path) ? it.frame : null
            return { it, failure: { path: it.path, frame, code: e.code, message: e.message } }
          }
        })
      )
      const ok = loaded.filter((l) => l.x).map((l) => l.it)
      const input = new Float32Array(ok.length * perImage)
      let j = 0
      for (const l of loaded) if (l.x) input.set(l.x, perImage * j++)
      return { input, ok, failures: loaded.flatMap((l) => (l.failure ? [l.failure] : [])) }
    }
    const s = saliency
    const run = async (lane: BackboneRuntime, _b: number, p: PreparedBatch): Promise<void> => {
      const rows: ClassifiedRow[] = []
      if (p.ok.length > 0) {
        const maps = (await lane.run(p.input, p.ok.length)).featureMap as FeatureMap
        const [, h, w] = maps.shape
        const a = tf.tensor4d(maps.data, maps.shape)
        let out
        try {
          out = s.predict(a, job.saliency)
        } finally {
          a.dispose()
        }
        const tta = augmentations
          ? await predictWithTta(
              p.input,
              p.ok.length,
              { height: spec.inputSize, width: spec.inputSize, channels: 3 },
              k,
              augmentations,
              (batch, count) => headProbabilities(lane, s, batch, count),
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
      saliencyMethod: job.saliency ? s.method : null,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    open = false
    await runtime?.close()
    saliency?.dispose()
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
  const a = tf.tensor4d(maps.data, maps.shape)
  try {
    return saliency.predict(a, false).probabilities
  } finally {
    a.dispose()
  }
}

/** Engine entry for a `classify` job. */
export function runClassify(job: ClassifyJob, emit: Emit, signal: AbortSignal): Promise<ClassifyJobResult> {
  return classifyFolder(job, emit, signal)
}

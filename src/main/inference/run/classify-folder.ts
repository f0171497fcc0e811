import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import type { FailedInput } from '../../../shared/contract'
import { AppError, toEnvelope } from '../../../shared/errors'
import { selectBackend } from '../../compute/backend'
import { compileInferencePlan, type InferencePlan } from '../../training/backbone/inference-plan'
import { modelInputSize } from '../../training/backbone/model-surgery'
import { loadModelInput } from '../../training/preprocess/load-model-input'
import { loadModelArtifact } from '../../training/run/model-artifact'
import { predictWithGradCam, quantizeCams } from '../gradcam/grad-cam'
import { FeaturePool, type FeatureMaps, type FeatureWorker } from '../features/feature-pool'
import { runBatches } from '../features/run-batches'
import type { InputMeta } from '../input/input-meta'
import { listFolderInputs } from '../input/list-inputs'
import { MAX_SCAN_FILES } from '../../services/imaging/scan-folder'
import type { ClassifiedRow, ClassifyJob, ClassifyJobResult, EngineClassifyEvent } from '../job'
import { splitClassifier } from '../model/split-classifier'

/** Images per backbone call: WASM throughput stops growing around 8. */
const DEFAULT_BATCH = 8

type Emit = (e: EngineClassifyEvent) => void

/** One prepared batch: the model inputs of the inputs that loaded, and those that did not. */
interface PreparedBatch {
  input: Float32Array
  ok: InputMeta[]
  failures: FailedInput[]
}

/**
 * Classifies every image and DICOM frame under `job.folder` with the model in `job.modelDir`, in batches,
 * reusing the model's stored preprocessing (card.preprocessing) unchanged. The backbone up to
 * card.featureLayer runs as a fused plan in worker threads (one WASM engine per core), the head and
 * Grad-CAM in this thread. Files that do not load are reported as failures and the job goes on. Emits the
 * scan result, then one `results` event per batch; honours `signal` between batches (status `cancelled`,
 * rows already emitted stand). The folder is only read.
 */
export async function classifyFolder(
  job: Omit<ClassifyJob, 'kind' | 'jobId'>,
  emit: Emit,
  signal?: AbortSignal
): Promise<ClassifyJobResult> {
  const started = performance.now()
  const batchSize = job.batchSize ?? DEFAULT_BATCH
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('INVALID_ARGUMENT', `classify: batchSize ${batchSize} is not a positive integer`)
  }
  const backend = await selectBackend()
  const native = backend.active === 'node' || backend.active === 'node-gpu'
  const workers = job.workers ?? (native ? 0 : os.cpus().length)
  // Spawned now, so the workers load tfjs while this thread scans the folder and loads the model.
  let pool: FeaturePool | null = workers > 0 ? FeaturePool.spawn(workers) : null
  let open = true
  const send: Emit = (e) => {
    if (open) emit(e)
  }
  let model: tf.LayersModel | null = null
  let split: ReturnType<typeof splitClassifier> | null = null
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

    let plan: InferencePlan | null = null
    if (pool) {
      try {
        plan = compileInferencePlan(split.features)
      } catch (err) {
        // A backbone the fused plan does not cover still runs, layer by layer, in this thread.
        if (!(err instanceof AppError && err.code === 'UNSUPPORTED')) throw err
        await pool.close()
        pool = null
      }
    }
    let engine: string
    if (pool && plan)
      engine = `workers: ${(await pool.init(plan, backend.active === 'cpu' ? 'cpu' : 'wasm')).join(', ')}`
    else engine = `in-process: ${tf.getBackend()}`
    send({ type: 'engine', backend: backend.active, engine })
    send({ type: 'phase', text: `Classifying ${found.inputs.length} images with ${engine}` })

    const inputs = found.inputs
    // A failing frame is named only where the file has several; otherwise the file itself failed.
    const multiFrame = new Set(inputs.filter((it) => it.frame > 0).map((it) => it.path))
    const perImage = spec.inputSize * spec.inputSize * 3
    const batches = Math.ceil(inputs.length / batchSize)
    let classified = 0
    let failed = found.failures.length

    const prepare = async (b: number): Promise<PreparedBatch> => {
      const items = inputs.slice(b * batchSize, (b + 1) * batchSize)
      const loaded = await Promise.all(
        items.map(async (it) => {
          try {
            return { it, x: await loadModelInput(it.path, spec, it.frame) }
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
    const features = split.features
    const local = async (input: Float32Array, n: number): Promise<FeatureMaps> => {
      const y = tf.tidy(
        () => features.predict(tf.tensor4d(input, [n, spec.inputSize, spec.inputSize, 3])) as tf.Tensor4D
      )
      const data = (await y.data()) as Float32Array
      const shape = y.shape as [number, number, number, number]
      y.dispose()
      return { data, shape }
    }
    const s = split
    const run = async (lane: FeatureWorker | null, _b: number, p: PreparedBatch): Promise<void> => {
      const rows: ClassifiedRow[] = []
      if (p.ok.length > 0) {
        const maps = lane ? await lane.run(p.input, p.ok.length) : await local(p.input, p.ok.length)
        const [, h, w] = maps.shape
        const a = tf.tensor4d(maps.data, maps.shape)
        let out
        try {
          out = predictWithGradCam(s, a, job.saliency)
        } finally {
          a.dispose()
        }
        p.ok.forEach((it, i) => {
          const q = out.cams ? quantizeCams(out.cams.subarray(i * k * h * w, (i + 1) * k * h * w), k) : null
          rows.push({
            ...it,
            probabilities: out.probabilities.slice(i * k, (i + 1) * k),
            cam: q?.bytes ?? null,
            camScale: q?.scale ?? null,
            camWidth: q ? w : 0,
            camHeight: q ? h : 0
          })
        })
      }
      classified += rows.length
      failed += p.failures.length
      send({ type: 'results', rows, failures: p.failures })
    }
    let status: ClassifyJobResult['status'] = 'completed'
    try {
      await runBatches(batches, pool ? pool.workers : [null], prepare, run, signal, `classifying ${job.folder}`)
    } catch (err) {
      if (err instanceof AppError && err.code === 'CANCELLED') status = 'cancelled'
      else throw err
    }
    open = false
    return {
      status,
      classified,
      failed,
      backend: backend.active,
      engine,
      seconds: (performance.now() - started) / 1000
    }
  } finally {
    open = false
    await pool?.close()
    split?.dispose()
    model?.dispose()
  }
}

/** Engine entry for a `classify` job. */
export function runClassify(job: ClassifyJob, emit: Emit, signal: AbortSignal): Promise<ClassifyJobResult> {
  return classifyFolder(job, emit, signal)
}

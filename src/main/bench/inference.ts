import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { TrainingConfigSchema } from '../../shared/contract'
import { defaultEngineConfig } from '../engine/engine-config'
import { runInEngine } from '../engine/engine-host'
import { encodeDicom } from '../imaging'
import { classifyJob, type ClassifyJob } from '../inference/job'
import { classifyFolder } from '../inference/run/classify-folder'
import { loadBackbone } from '../training/backbone/load-backbone'
import { buildHead } from '../training/head/build-head'
import { composeModel } from '../training/head/compose-model'
import { makePreprocessSpec } from '../training/preprocess/spec'
import { loadModelArtifact, MODEL_CARD, saveModelArtifact } from '../training/job/model-artifact'
import { writeSaliencyBaseline } from '../training/job/saliency-baseline'
import { splitClassifier } from '../inference/model/split-classifier'
import { atomicWrite } from '../fs/atomic-write'

const SIZE = 224
const SOURCE = 512
const SLICES = 200
const CLASSES = ['glioma', 'meningioma', 'pituitary', 'no tumour']

/**
 * A 512×512 16-bit MR slice (12 bits stored, MONOCHROME2, window C 1000 / W 2000): a textured head-sized disc
 * with a bright lesion whose place moves with the slice.
 */
function sliceBytes(i: number): Uint8Array {
  const px = new Uint16Array(SOURCE * SOURCE)
  const lx = 160 + ((i * 37) % 200)
  for (let y = 0; y < SOURCE; y++) {
    for (let x = 0; x < SOURCE; x++) {
      const r = Math.hypot(x - 256, y - 256)
      const lesion = Math.hypot(x - lx, y - 220) < 30 ? 1200 : 0
      px[y * SOURCE + x] = r < 220 ? 600 + ((x * (i + 3) + y * 7) % 700) + lesion : (x ^ y ^ i) & 31
    }
  }
  return encodeDicom([
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.4' },
    { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1419.97.1.${i + 1}` },
    { tag: 0x00080060, vr: 'CS', value: 'MR' },
    { tag: 0x00100020, vr: 'LO', value: 'BENCH-01' },
    { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.97' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1419.97.1' },
    { tag: 0x00200013, vr: 'IS', value: i + 1 },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: SOURCE },
    { tag: 0x00280011, vr: 'US', value: SOURCE },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x00281050, vr: 'DS', value: 1000 },
    { tag: 0x00281051, vr: 'DS', value: 2000 },
    { tag: 0x7fe00010, vr: 'OW', value: px }
  ])
}

/** A model folder: the nsfwjs MobileNetV2 at 224 px with the seed head (untrained: speed does not depend on it). */
async function writeModel(dir: string): Promise<void> {
  const backbone = await loadBackbone({ kind: 'nsfwjs', inputSize: SIZE })
  const config = TrainingConfigSchema.parse({ backbone: { kind: 'nsfwjs' }, inputSize: SIZE })
  const head = buildHead({ numClasses: CLASSES.length, ...config.head, seed: 1 }, 1280)
  const { model } = composeModel(backbone.model, head, { name: 'bench_classifier' })
  await saveModelArtifact(model, dir, {
    format: 'neuropath-model',
    version: 1,
    classNames: CLASSES,
    preprocessing: makePreprocessSpec(SIZE, backbone.source.inputScaling),
    inputSize: SIZE,
    backbone: backbone.source,
    config,
    dataset: { id: 0, name: 'bench', versionId: 0, fingerprint: null },
    training: { stage1Epochs: 0, stage2Epochs: 0, backend: 'bench', finishedAt: new Date().toISOString() },
    metrics: { bestValAccuracy: null, test: null },
    featureLayer: backbone.model.outputs[0].sourceLayer.name
  })
  model.dispose()
}

/**
 * The same model with a saliency baseline (the mean block_13_expand_relu map of 16 of the slices), as
 * training writes it: classification then makes 14 × 14 LayerCAM maps against it.
 */
async function addSaliencyBaseline(dir: string, folder: string): Promise<void> {
  const { model, card } = await loadModelArtifact(dir)
  const split = splitClassifier(model, card.featureLayer, 'bench model')
  try {
    const items = fs
      .readdirSync(folder)
      .slice(0, 16)
      .map((f, i) => ({
        itemId: i,
        path: path.join(folder, f),
        frame: 0,
        sha256: '',
        label: 0,
        split: 'train' as const
      }))
    card.saliency = await writeSaliencyBaseline(split.features, items, card.preprocessing, dir)
    atomicWrite(path.join(dir, MODEL_CARD), JSON.stringify(card, null, 2))
  } finally {
    split.dispose()
    model.dispose()
  }
}

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const round2 = (x: number): number => Math.round(x * 100) / 100

/** One in-process run: wall seconds, seconds to the first batch, steady images/s after it, CPU ms per image. */
async function timedRun(folder: string, modelDir: string, saliency: boolean) {
  const t0 = performance.now()
  const c0 = cpuMs()
  let first: number | null = null
  let firstCount = 0
  let count = 0
  const res = await classifyFolder({ modelDir, folder, saliency }, (e) => {
    if (e.type !== 'results') return
    count += e.rows.length
    if (first === null) {
      first = performance.now()
      firstCount = count
    }
  })
  const end = performance.now()
  if (res.classified !== SLICES)
    throw new Error(`classified ${res.classified} of ${SLICES} slices (${res.failed} failed)`)
  return {
    seconds: (end - t0) / 1000,
    toFirstBatch: ((first ?? end) - t0) / 1000,
    steady: (count - firstCount) / ((end - (first ?? end)) / 1000),
    cpuMsPerImage: (cpuMs() - c0) / SLICES,
    engine: res.engine
  }
}

/**
 * Batch classification of a folder of 200 512×512 16-bit DICOM slices at 224 px with an nsfwjs-backbone model:
 * end to end (scan, model load, decode + window + resize, backbone in the backbone runtime (ONNX Runtime),
 * head and Grad-CAM for every class), with and without Grad-CAM in this process, with the 14 × 14 LayerCAM
 * against a saliency baseline (the map models trained since issue 13 get), then through a real engine
 * process, next to the same engine job with ONNX Runtime disabled (the tfjs fallback), in the same run; and
 * the LayerCAM job through the engine process with and without ONNX Runtime.
 */
export async function benchInference(): Promise<Record<string, number | string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-bench-inference-'))
  const loadAverage = os.loadavg()[0]
  try {
    const folder = path.join(dir, 'patient')
    fs.mkdirSync(folder)
    for (let i = 0; i < SLICES; i++)
      fs.writeFileSync(path.join(folder, `IM${String(i + 1).padStart(4, '0')}.dcm`), sliceBytes(i))
    const modelDir = path.join(dir, 'model')
    await writeModel(modelDir)

    const withCam = await timedRun(folder, modelDir, true)
    const withoutCam = await timedRun(folder, modelDir, false)
    // The map models trained since issue 13 get, beside the 7 × 7 Grad-CAM above, in the same run.
    const layerCamDir = path.join(dir, 'model-layercam')
    fs.cpSync(modelDir, layerCamDir, { recursive: true })
    await addSaliencyBaseline(layerCamDir, folder)
    const layerCam = await timedRun(folder, layerCamDir, true)
    const out: Record<string, number | string> = {
      classify200Dicom512At224Seconds: round2(withCam.seconds),
      classifyImgPerSec: round2(SLICES / withCam.seconds),
      classifySecondsToFirstBatch: round2(withCam.toFirstBatch),
      classifySteadyImgPerSec: round2(withCam.steady),
      classifyCpuMsPerImg: round2(withCam.cpuMsPerImage),
      classifyNoGradCamSeconds: round2(withoutCam.seconds),
      classifyNoGradCamSteadyImgPerSec: round2(withoutCam.steady),
      classifyLayerCam14Seconds: round2(layerCam.seconds),
      classifyLayerCam14SteadyImgPerSec: round2(layerCam.steady),
      classifyLayerCam14CpuMsPerImg: round2(layerCam.cpuMsPerImage),
      classifyLayerCam14Engine: layerCam.engine,
      classifyEngine: withCam.engine,
      loadAverage1mAtStart: round2(loadAverage)
    }

    const engine = defaultEngineConfig()
    if (fs.existsSync(engine.entry)) {
      const t0 = performance.now()
      const job: ClassifyJob = { kind: 'classify', jobId: 1, modelDir, folder, saliency: true }
      const res = await runInEngine({ ...engine, job: classifyJob, params: job, onEvent: () => undefined })
      if (res.classified !== SLICES) throw new Error(`engine process classified ${res.classified} of ${SLICES}`)
      out.classify200SecondsInEngineProcess = round2((performance.now() - t0) / 1000)
      out.classifyEngineInEngineProcess = res.engine
      // The same job where ONNX Runtime cannot load: the backbone runtime's tfjs fallback, same run, same machine.
      const t1 = performance.now()
      const fallback = await runInEngine({
        ...engine,
        job: classifyJob,
        params: job,
        env: { NEUROPATH_DISABLE_ORT: '1' },
        onEvent: () => undefined
      })
      if (fallback.classified !== SLICES)
        throw new Error(`engine process classified ${fallback.classified} of ${SLICES}`)
      out.classify200SecondsInEngineProcessTfjsFallback = round2((performance.now() - t1) / 1000)
      out.classifyEngineTfjsFallback = fallback.engine
      // The maps models trained since issue 13 get (14 × 14 LayerCAM against the baseline) through the engine
      // process: on ONNX Runtime (rest of the backbone, head and one gradient pass per class in one graph),
      // then with ONNX Runtime disabled (backbone and maps on tfjs), same run. The figure names the maps' engine.
      for (const [key, env] of [
        ['classify200LayerCam14SecondsInEngineProcess', {}],
        ['classify200LayerCam14SecondsInEngineProcessTfjsFallback', { NEUROPATH_DISABLE_ORT: '1' }]
      ] as const) {
        const phases: string[] = []
        const t = performance.now()
        const res = await runInEngine({
          ...engine,
          job: classifyJob,
          params: { ...job, modelDir: layerCamDir },
          env,
          onEvent: (e) => {
            if (e.type === 'phase') phases.push(e.text)
          }
        })
        if (res.classified !== SLICES) throw new Error(`engine process classified ${res.classified} of ${SLICES}`)
        if (res.saliencyMethod?.kind !== 'layercam-baseline') throw new Error(`${key}: the maps were not LayerCAM`)
        out[key] = round2((performance.now() - t) / 1000)
        out[`${key}Maps`] = phases.find((p) => p.startsWith('Maps: ')) ?? 'unknown'
      }
    } else throw new Error(`the built engine ${engine.entry} is missing: run electron-vite build first`)
    return out
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

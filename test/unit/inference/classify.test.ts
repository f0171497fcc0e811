import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FailedInput, ImagePrediction } from '../../../src/shared/contract'
import { aggregate } from '../../../src/main/inference/aggregate/aggregate'
import { toPrediction } from '../../../src/main/inference/aggregate/prediction'
import { predictWithGradCam } from '../../../src/main/inference/gradcam/grad-cam'
import { saliencyMap } from '../../../src/main/inference/gradcam/saliency-map'
import { mapGeometry, upsampleBilinear } from '../../../src/shared/display/upsample'
import type { ClassifiedRow, ClassifyJobResult, EngineClassifyEvent } from '../../../src/main/inference/job'
import { splitClassifier } from '../../../src/main/inference/model/split-classifier'
import { classifyFolder } from '../../../src/main/inference/run/classify-folder'
import { topOne } from '../../../src/main/inference/store/inference-store'
import { loadModelArtifact } from '../../../src/main/training/job/model-artifact'
import {
  CLASS_NAMES,
  tempDir,
  trainLeftRightModel,
  treeFingerprint,
  writePatientFolder,
  type PatientFolder
} from './fixtures'

const tmp = tempDir('classify')
let modelDir = ''
let patient: PatientFolder
let before: Record<string, string> = {}
const events: EngineClassifyEvent[] = []
let result: ClassifyJobResult
let rows: ClassifiedRow[] = []
let failures: FailedInput[] = []
let predictions: ImagePrediction[] = []

beforeAll(async () => {
  modelDir = await trainLeftRightModel(path.join(tmp.dir, 'model'))
  patient = await writePatientFolder(path.join(tmp.dir, 'patient'))
  before = treeFingerprint(patient.root)
  result = await classifyFolder({ modelDir, folder: patient.root, saliency: true }, (e) => events.push(e))
  rows = events.flatMap((e) => (e.type === 'results' ? e.rows : []))
  failures = events.flatMap((e) => (e.type === 'inputs' || e.type === 'results' ? e.failures : []))
  predictions = rows.map((r, i) => {
    const top = topOne(r.probabilities)
    return toPrediction(
      { ...r, id: i + 1, predictedIndex: top.index, confidence: top.value, hasCam: r.cam !== null },
      CLASS_NAMES,
      0.6
    )
  })
}, 240_000)
afterAll(() => tmp.cleanup())

describe('classifyFolder on a generated patient folder', () => {
  it('classifies every image and DICOM frame once, with the model stored preprocessing', () => {
    expect(result.status).toBe('completed')
    expect(result.classified).toBe(patient.truth.size)
    const keys = rows.map((r) => `${r.path}#${r.frame}`).sort()
    expect(keys).toEqual([...patient.truth.keys()].sort())
    const correct = rows.filter(
      (r) => CLASS_NAMES[topOne(r.probabilities).index] === patient.truth.get(`${r.path}#${r.frame}`)
    )
    expect(correct.length / rows.length).toBeGreaterThanOrEqual(0.9)
    for (const r of rows) {
      expect(r.probabilities).toHaveLength(2)
      expect(r.probabilities[0] + r.probabilities[1]).toBeCloseTo(1, 5)
    }
    const inputs = events.find((e) => e.type === 'inputs')
    expect(inputs?.type === 'inputs' && inputs.total).toBe(patient.truth.size + 2) // + the two that fail to decode
  })

  it('reads the DICOM identifiers and groups DICOM by UID and PNGs by folder', () => {
    const multi = rows.filter((r) => r.path.endsWith('cine.dcm'))
    expect(multi.map((r) => r.frame).sort()).toEqual([0, 1, 2])
    expect(multi[0]).toMatchObject({
      patientId: 'P-002',
      patientName: 'Roe^Richard',
      seriesNumber: 7,
      patientKey: 'patient:P-002'
    })
    const png = rows.find((r) => r.kind === 'png')!
    expect(png).toMatchObject({
      seriesKey: 'folder:png',
      studyKey: 'folder:png',
      patientKey: 'folder:png',
      patientId: null
    })
    const t1 = rows.find((r) => r.seriesDescription === 'T1 AXIAL')!
    expect(t1).toMatchObject({
      studyDate: '20240115',
      patientBirthDate: '19700101',
      studyKey: 'study:1.2.826.0.1.3680043.10.1419.70.1'
    })
  })

  it('aggregates per series, study and patient: mean probability, majority and agreement', () => {
    const series = aggregate(predictions, CLASS_NAMES, 'series')
    for (const want of patient.series) {
      const got = series.find((s) => s.key === want.key)
      expect(got, want.key).toBeDefined()
      expect(got!.count).toBe(want.count)
      expect(got!.majority).toBe(want.majority)
      expect(got!.agreement).toBeCloseTo(want.agreement, 5)
      const members = predictions.filter((p) => p.seriesKey === want.key)
      expect(got!.meanProbabilities[1]).toBeCloseTo(
        members.reduce((s, p) => s + p.probabilities[1], 0) / members.length,
        6
      )
    }
    const patients = aggregate(predictions, CLASS_NAMES, 'patient')
    expect(patients.map((p) => [p.key, p.count]).sort()).toEqual([
      ['folder:png', 4],
      ['patient:P-001', 9],
      ['patient:P-002', 3]
    ])
    expect(patients.find((p) => p.key === 'patient:P-001')!.label).toBe('Doe Jane (P-001)')
    const studies = aggregate(predictions, CLASS_NAMES, 'study')
    expect(studies.find((s) => s.key.endsWith('.70.1'))!.count).toBe(9)
  })

  it('lists unreadable files with the reason and goes on', () => {
    expect(failures.map((f) => f.path).sort()).toEqual([...patient.bad.keys()].sort())
    const byName = (n: string) => failures.find((f) => f.path.endsWith(n))!
    expect(byName('notes.txt')).toMatchObject({ code: 'UNSUPPORTED', frame: null })
    expect(byName('notes.txt').message).toContain('notes.txt')
    expect(byName('fake.png').code).toBe('UNSUPPORTED')
    expect(byName('truncated.dcm')).toMatchObject({ code: 'CORRUPT', frame: null })
    expect(byName('truncated.dcm').message).toContain('truncated.dcm')
    expect(byName('no-pixels.dcm').frame).toBeNull()
    expect(result.failed).toBe(patient.bad.size)
  })

  it('leaves the patient folder exactly as it was', () => {
    expect(treeFingerprint(patient.root)).toEqual(before)
  })

  // Where the map points is judged by the pointing game at 224 px (gradcam-pointing.test.ts). At 64 px the
  // map (LayerCAM against the training mean at block_13_expand_relu, the card's saliency baseline) is 4 × 4
  // and each cell's receptive field covers most of the image, so "the peak is on the disc's side" is no
  // claim about the map. Here: the stored grid reaches the viewer intact.
  it('stores a normalised 4 × 4 saliency grid per class that the viewer upsamples over the image', () => {
    let checked = 0
    rows.forEach((r, i) => {
      const side = patient.truth.get(`${r.path}#${r.frame}`)
      const p = predictions[i]
      if (p.predicted !== side) return
      expect(r.camWidth).toBe(4)
      expect(r.camHeight).toBe(4)
      for (let cls = 0; cls < CLASS_NAMES.length; cls++) {
        const map = saliencyMap(
          { ...r, id: i + 1, predictedIndex: p.predictedIndex, confidence: p.confidence, hasCam: true },
          CLASS_NAMES,
          cls
        )
        const max = Math.max(...map.grid)
        // Each class is scaled by its own maximum: 1 where the class has positive evidence, else all 0.
        expect(max, `${r.path}#${r.frame} class ${cls}`).toBeCloseTo(map.strength > 0 ? 1 : 0, 6)
        expect(Math.min(...map.grid)).toBeGreaterThanOrEqual(0)
        if (cls !== p.predictedIndex) continue
        // The predicted class has positive evidence somewhere (its logit wins).
        expect(map.strength, `${r.path}#${r.frame}`).toBeGreaterThan(0)
        // The viewer's upsampling of the grid over the image geometry keeps the grid's maximum: never above
        // it, and the pixel nearest the peak cell's centre is at most half a pixel (in cells: gw/w, gh/h)
        // away from it, with neighbouring cells differing by ≤ 1.
        const geo = mapGeometry(map.width, map.height)
        expect([geo.width, geo.height]).toEqual([r.width, r.height])
        const heat = upsampleBilinear(map.grid, map.gridWidth, map.gridHeight, geo.width, geo.height)
        const slack = 0.5 * (map.gridWidth / geo.width + map.gridHeight / geo.height)
        expect(Math.max(...heat)).toBeLessThanOrEqual(1 + 1e-6)
        expect(Math.max(...heat)).toBeGreaterThanOrEqual(1 - slack - 1e-6)
      }
      checked++
    })
    expect(checked).toBeGreaterThanOrEqual(14)
  })

  it('honours cancel between batches and reports what it classified', async () => {
    const controller = new AbortController()
    const seen: EngineClassifyEvent[] = []
    const res = await classifyFolder(
      { modelDir, folder: patient.root, saliency: false, batchSize: 2 },
      (e) => {
        seen.push(e)
        if (e.type === 'results') controller.abort()
      },
      controller.signal
    )
    expect(res.status).toBe('cancelled')
    const got = seen.flatMap((e) => (e.type === 'results' ? e.rows : []))
    expect(got.length).toBeGreaterThan(0)
    expect(got.length).toBeLessThan(patient.truth.size)
    expect(got.every((r) => r.cam === null)).toBe(true)
  })
})

describe('Grad-CAM through the split model', () => {
  it('equals ReLU(Σ α_k A_k) with α from tf.grad taken with respect to the feature map itself, on wasm', async () => {
    const { model, card } = await loadModelArtifact(modelDir)
    const split = splitClassifier(model, card.featureLayer, 'test model')
    expect(split.featureShape).toEqual([2, 2, 1280])
    expect(split.pooledLogits).not.toBeNull()
    const a = tf.randomUniform([3, 2, 2, 1280], 0, 2, 'float32', 5) as tf.Tensor4D
    // The split head reproduces the saved model's own layers on the same features.
    const viaModel = tf.tidy(() => {
      const rest = model.layers.slice(model.layers.indexOf(model.getLayer(card.featureLayer)) + 1)
      return rest.reduce<tf.Tensor>((x, l) => l.apply(x, { training: false }) as tf.Tensor, a).arraySync() as number[][]
    })
    const out = predictWithGradCam(split, a, true)
    expect(Array.from(out.probabilities)).toEqual(viaModel.flat().map((v) => expect.closeTo(v, 5)))
    // Reference: Grad-CAM by its definition, differentiating the class logit with respect to A (through GAP).
    for (let cls = 0; cls < 2; cls++) {
      const ref = tf.tidy(() => {
        const dA = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(split.logits(x as tf.Tensor4D), [0, cls], [-1, 1])))(a)
        return tf.relu(tf.sum(tf.mul(a, tf.mean(dA, [1, 2], true)), 3)).arraySync() as number[][][]
      })
      for (let i = 0; i < 3; i++) {
        const got = Array.from(out.cams!.subarray(i * 8 + cls * 4, i * 8 + cls * 4 + 4))
        expect(got).toEqual(ref[i].flat().map((v) => expect.closeTo(v, 4)))
      }
    }
    expect(tf.getBackend()).toBe('wasm')
    a.dispose()
    split.dispose()
    model.dispose()
  })
})

import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ImagePrediction, InferenceJobDetail } from '../../../src/shared/contract'
import { aggregate, countByClass } from '../../../src/main/inference/aggregate/aggregate'
import { toPrediction } from '../../../src/main/inference/aggregate/prediction'
import { deidentifyDetail } from '../../../src/main/inference/export/deidentify'
import { csvField, predictionsToCsv } from '../../../src/main/inference/export/to-csv'
import { quantizeCams } from '../../../src/main/inference/gradcam/grad-cam'
import { mapGeometry, upsampleBilinear } from '../../../src/shared/display/upsample'
import { inputMeta, ROOT_LABEL } from '../../../src/main/inference/input/input-meta'
import type { StoredResult } from '../../../src/main/inference/store/inference-store'
import { colormapLut, heatmapToRgba } from '../../../src/renderer/src/classify/colormap'
import {
  filterPredictions,
  groupByPatientSeries,
  relativeTo,
  sortPredictions
} from '../../../src/renderer/src/classify/table-model'

const CLASSES = ['glioma', 'meningioma', 'no tumour']
const ROOT = path.join(path.sep, 'data', 'Doe_Jane')

let nextId = 1
/** A stored result of a DICOM slice (or a PNG when `series` starts with 'folder:'). */
function stored(series: string, probabilities: number[], patient = 'P-1'): StoredResult {
  const png = series.startsWith('folder:')
  let top = 0
  probabilities.forEach((p, i) => (top = p > probabilities[top] ? i : top))
  const id = nextId++
  return {
    id,
    path: path.join(ROOT, png ? series.slice(7) : 'dcm', `im${id}`),
    frame: 0,
    kind: png ? 'png' : 'dicom',
    width: 256,
    height: 256,
    patientId: png ? null : patient,
    patientName: png ? null : 'Doe^Jane',
    patientBirthDate: png ? null : '19700101',
    studyUid: png ? null : '1.2.3',
    studyDate: png ? null : '20240101',
    seriesUid: png ? null : series,
    seriesNumber: null,
    seriesDescription: null,
    instanceNumber: id,
    slicePosition: png ? null : id * 2.5,
    modality: null,
    seriesKey: png ? series : `series:${series}`,
    seriesLabel: series,
    studyKey: png ? series : 'study:1.2.3',
    patientKey: png ? series : `patient:${patient}`,
    predictedIndex: top,
    confidence: probabilities[top],
    probabilities: Float32Array.from(probabilities),
    cam: null,
    camScale: null,
    camWidth: 0,
    camHeight: 0,
    hasCam: false
  }
}

describe('predictions and aggregates', () => {
  it('lists the top 3 classes and flags a top probability below the threshold', () => {
    const p = toPrediction(stored('s1', [0.2, 0.55, 0.25]), CLASSES, 0.6)
    expect(p.predicted).toBe('meningioma')
    expect(p.top.map((t) => t.className)).toEqual(['meningioma', 'no tumour', 'glioma'])
    expect(p.lowConfidence).toBe(true)
    expect(toPrediction(stored('s1', [0.2, 0.6, 0.2]), CLASSES, 0.6).lowConfidence).toBe(false)
    expect(toPrediction(stored('s1', [0.5, 0.5]), ['a', 'b'], 0.5).top).toHaveLength(2)
  })

  it('takes the majority by vote, breaks ties by mean probability, and measures agreement', () => {
    const rows = [
      stored('s1', [1, 0, 0]),
      stored('s1', [0.4, 0.6, 0]),
      stored('s1', [0.4, 0.55, 0.05]),
      stored('s2', [0.55, 0.45, 0]),
      stored('s2', [0.1, 0.9, 0])
    ].map((r) => toPrediction(r, CLASSES, 0.6))
    const [s1, s2] = aggregate(rows, CLASSES, 'series')
    expect(s1).toMatchObject({
      key: 'series:s1',
      count: 3,
      majority: 'meningioma',
      majorityIndex: 1,
      meanPredicted: 'glioma'
    })
    expect(s1.agreement).toBeCloseTo(2 / 3, 10)
    expect(s1.meanProbabilities.map((v) => Number(v.toFixed(4)))).toEqual([0.6, 0.3833, 0.0167])
    // One vote each: the class with the higher mean probability (meningioma, 0.675) wins.
    expect(s2).toMatchObject({
      count: 2,
      majority: 'meningioma',
      agreement: 0.5,
      lowConfidence: 1,
      meanPredicted: 'meningioma'
    })
    const [patient] = aggregate(rows, CLASSES, 'patient')
    expect(patient).toMatchObject({ key: 'patient:P-1', label: 'Doe Jane (P-1)', count: 5, majority: 'meningioma' })
    expect(countByClass(rows, CLASSES)).toEqual({ glioma: 2, meningioma: 3, 'no tumour': 0 })
  })
})

describe('group keys from headers', () => {
  it('groups DICOM by UID and plain images by folder, relative to the job folder', () => {
    const dicom = inputMeta(ROOT, path.join(ROOT, 'a', 'b', 'x.dcm'), 2, {
      kind: 'dicom',
      width: 4,
      height: 4,
      frames: 3,
      seriesInstanceUID: '1.2.3.4',
      studyInstanceUID: '1.2.3',
      patientName: 'Doe^Jane',
      seriesNumber: 3,
      seriesDescription: 'T2 FLAIR',
      modality: 'MR'
    })
    expect(dicom).toMatchObject({
      frame: 2,
      seriesKey: 'series:1.2.3.4',
      seriesLabel: '3 T2 FLAIR (MR)',
      studyKey: 'study:1.2.3',
      patientKey: 'patient-name:Doe^Jane'
    })
    const noUid = inputMeta(ROOT, path.join(ROOT, 'a', 'y.dcm'), 0, { kind: 'dicom', width: 4, height: 4, frames: 1 })
    expect(noUid).toMatchObject({ seriesKey: 'dicom-folder:a', studyKey: 'folder:a', patientKey: 'folder:a' })
    const png = inputMeta(ROOT, path.join(ROOT, 'p.png'), 0, {
      kind: 'png',
      width: 4,
      height: 4,
      frames: 1,
      patientId: 'ignored'
    })
    expect(png).toMatchObject({
      seriesKey: 'folder:.',
      seriesLabel: ROOT_LABEL,
      patientKey: 'folder:.',
      patientId: null
    })
    expect(
      aggregate([{ ...toPrediction({ ...stored('s', [1, 0, 0]), ...png }, CLASSES, 0.5) }], CLASSES, 'patient')[0].label
    ).toBe(ROOT_LABEL)
  })
})

describe('export', () => {
  it('writes the CSV columns the issue names, quoting what needs it', () => {
    const rows = [toPrediction({ ...stored('s1', [0.1, 0.7, 0.2]), path: '/d/a,b "c".dcm' }, CLASSES, 0.6)]
    const csv = predictionsToCsv(rows, ['glioma', 'meningioma', 'no, tumour'])
    const [header, line] = csv.split('\r\n')
    expect(header).toBe(
      'path,frame,patient_id,study_uid,series_uid,slice_index,slice_position,predicted,confidence,p_glioma,p_meningioma,"p_no, tumour"'
    )
    const id = rows[0].instanceNumber
    expect(line).toBe(`"/d/a,b ""c"".dcm",0,P-1,1.2.3,s1,${id},${id! * 2.5},meningioma,0.7,0.1,0.7,0.2`)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csvField(null)).toBe('')
    expect(csvField('x\ny')).toBe('"x\ny"')
  })

  it('de-identifies: no names, IDs, UIDs, dates, paths or folder; stable pseudonyms; grouping kept', () => {
    const preds = [
      stored('s1', [1, 0, 0], 'P-1'),
      stored('s2', [0, 1, 0], 'P-2'),
      stored('s1', [1, 0, 0], 'P-1'),
      stored('folder:pngs', [0, 0, 1])
    ].map((r) => toPrediction(r, CLASSES, 0.5))
    const detail = {
      id: 7,
      name: 'Doe_Jane · model',
      folder: ROOT,
      model: { modelDir: '/data/workspace/models/run-1/model', name: 'run 1', runId: 1 },
      error: `${ROOT}/x failed`,
      classNames: CLASSES,
      predictions: preds,
      series: aggregate(preds, CLASSES, 'series'),
      studies: aggregate(preds, CLASSES, 'study'),
      patients: aggregate(preds, CLASSES, 'patient'),
      failures: [
        {
          path: path.join(ROOT, 'bad', 'f.dcm'),
          frame: null,
          code: 'CORRUPT',
          message: `${path.join(ROOT, 'bad', 'f.dcm')}: truncated`
        }
      ],
      counts: countByClass(preds, CLASSES)
    } as unknown as InferenceJobDetail
    const d = deidentifyDetail(detail)
    const text = JSON.stringify(d)
    expect(text).not.toMatch(/Doe|Jane|P-1|P-2|19700101|20240101|1\.2\.3|pngs|\/data|"s1"|"s2"/)
    expect(d.predictions.map((p) => p.patientKey)).toEqual(['patient-1', 'patient-2', 'patient-1', 'patient-3'])
    expect(d.predictions.map((p) => p.patientId)).toEqual(['patient-1', 'patient-2', 'patient-1', 'patient-3'])
    expect(d.predictions.map((p) => [p.studyUid, p.seriesUid])).toEqual([
      ['study-1', 'series-1'],
      ['study-1', 'series-2'],
      ['study-1', 'series-1'],
      [null, null]
    ])
    expect(d.patients.map((p) => [p.key, p.label, p.count])).toEqual([
      ['patient-1', 'patient 1', 2],
      ['patient-2', 'patient 2', 1],
      ['patient-3', 'patient 3', 1]
    ])
    expect(d.series.map((s) => s.count)).toEqual(detail.series.map((s) => s.count))
    expect(d.predictions.map((p) => p.path)).toEqual(['file-1', 'file-2', 'file-3', 'file-4'])
    expect(d.predictions.map((p) => p.slicePosition)).toEqual(preds.map((p) => p.slicePosition))
    expect(d.failures[0]).toMatchObject({ path: 'file-5', message: 'file-5: truncated' })
    expect(d.name).toBe('classification job 7')
    expect(d.folder).toBe('.')
    expect(detail.predictions[0].patientId).toBe('P-1')
  })
})

describe('Grad-CAM maps', () => {
  it('quantise each class by its own maximum', () => {
    const { bytes, scale } = quantizeCams(Float32Array.from([0, 1, 2, 4, 0, 0, 0, 0]), 2)
    expect(Array.from(scale)).toEqual([4, 0])
    expect(Array.from(bytes)).toEqual([0, 64, 128, 255, 0, 0, 0, 0])
  })

  it('upsample bilinearly with the grid covering the whole image', () => {
    expect(Array.from(upsampleBilinear([0, 1], 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1])
    const up = upsampleBilinear([1, 0, 0, 0], 2, 2, 4, 4)
    expect(up[0]).toBe(1)
    expect(up[15]).toBe(0)
    expect(mapGeometry(512, 512)).toEqual({ width: 512, height: 512 })
    expect(mapGeometry(4096, 2048)).toEqual({ width: 1024, height: 512 })
  })
})

describe('results table and overlay colours (renderer)', () => {
  const rows: ImagePrediction[] = [
    toPrediction(stored('s1', [0.9, 0.1, 0], 'P-1'), CLASSES, 0.6),
    toPrediction(stored('s2', [0.2, 0.5, 0.3], 'P-2'), CLASSES, 0.6),
    toPrediction(stored('s1', [0.3, 0.7, 0], 'P-1'), CLASSES, 0.6)
  ]

  it('filters by class, confidence and text, and sorts stably', () => {
    expect(filterPredictions(rows, { className: 'meningioma', confidence: 'all', text: '' })).toHaveLength(2)
    expect(filterPredictions(rows, { className: '', confidence: 'low', text: '' })).toEqual([rows[1]])
    expect(filterPredictions(rows, { className: '', confidence: 'confident', text: 'p-1' })).toEqual([rows[0], rows[2]])
    expect(sortPredictions(rows, 'confidence', 'asc').map((r) => r.confidence)).toEqual([0.5, 0.7, 0.9])
    expect(sortPredictions(rows, 'predicted', 'desc').map((r) => r.id)).toEqual([rows[1].id, rows[2].id, rows[0].id])
  })

  it('groups by patient then series in the order of the rows', () => {
    const sorted = sortPredictions(rows, 'confidence', 'asc')
    const groups = groupByPatientSeries(sorted, aggregate(rows, CLASSES, 'patient'), aggregate(rows, CLASSES, 'series'))
    expect(groups.map((g) => g.patient?.key)).toEqual(['patient:P-2', 'patient:P-1'])
    expect(groups[1].series[0].rows.map((r) => r.confidence)).toEqual([0.7, 0.9])
    expect(groups[1].series[0].series?.count).toBe(2)
    expect(relativeTo('/d/job', '/d/job/a/b.dcm')).toBe('a/b.dcm')
    expect(relativeTo('/d/job', '/d/other.dcm')).toBe('/d/other.dcm')
  })

  it('colours a heatmap through the chosen map, transparent where there is no evidence', () => {
    const lut = colormapLut('jet')
    expect(lut).toHaveLength(768)
    expect(Array.from(lut.subarray(0, 3))).toEqual([0, 0, 131])
    expect(Array.from(lut.subarray(765))).toEqual([128, 0, 0])
    const rgba = heatmapToRgba(Uint8Array.from([0, 25, 255]), 'hot')
    expect([rgba[3], rgba[7], rgba[11]]).toEqual([0, 125, 255])
    expect(Array.from(rgba.subarray(8, 11))).toEqual([255, 255, 255])
  })
})

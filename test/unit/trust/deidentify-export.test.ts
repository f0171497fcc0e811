import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Api } from '../../../src/shared/contract'
import { directApi } from '../../../src/main/cli/direct-api'
import { createCore, type Core } from '../../../src/main/services'
import { builtEngine } from '../../helpers/engine'
import { tempDir, UID_ROOT, writePatientFolder, writeUntrainedModel, type PatientFolder } from '../inference/fixtures'

const tmp = tempDir('deid')
const ws = path.join(tmp.dir, 'workspace')
let core: Core
let api: Api
let patient: PatientFolder
let jobId = 0

beforeAll(async () => {
  const modelDir = await writeUntrainedModel(path.join(tmp.dir, 'models-outside', 'untrained-model'))
  patient = await writePatientFolder(path.join(tmp.dir, 'Doe_Jane'), 32)
  core = createCore(ws, 'cli', builtEngine())
  api = directApi(core)
  const job = await api.inference.startJob({ modelDir, folder: patient.root, saliency: false })
  jobId = job.id
  await new Promise<void>((resolve) => {
    const off = api.inference.onJobEvent((e) => {
      if (e.jobId === jobId && e.type === 'status' && e.status !== 'running') {
        off()
        resolve()
      }
    })
  })
}, 120_000)
afterAll(() => {
  core?.close()
  tmp.cleanup()
})

/** Every identifier the generated folder holds (writePatientFolder), and every path on this machine. */
function originals(): string[] {
  return [
    'P-001',
    'P-002',
    'Doe',
    'Jane',
    'Roe',
    'Richard',
    '19700101', // PatientBirthDate
    '20240115', // StudyDate
    UID_ROOT, // every Study, Series and SOP Instance UID starts with it
    'T1 AXIAL',
    'T2 AXIAL',
    'CINE', // SeriesDescription (free text)
    'DICOM/', // folder and file names inside the patient folder
    'IM1',
    'cine.dcm',
    'slice1.png',
    tmp.dir, // the workspace, the patient folder and the model folder all lie below it
    ws,
    'untrained-model',
    'models-outside'
  ]
}

describe('de-identified exports', () => {
  it('hold no original identifier and no path, in CSV and JSON alike', async () => {
    const csv = (await api.inference.exportJob({ jobId, format: 'csv', deidentify: true })).content
    const json = (await api.inference.exportJob({ jobId, format: 'json', deidentify: true })).content
    for (const text of [csv, json]) {
      for (const id of originals()) expect(text, `export holds "${id}"`).not.toContain(id)
    }
    // The identified export does hold them: the list above is not vacuous.
    const full = (await api.inference.exportJob({ jobId, format: 'json' })).content
    for (const id of ['P-001', 'Doe', UID_ROOT, 'T1 AXIAL', tmp.dir]) expect(full).toContain(id)
  })

  it('use the same pseudonyms in CSV and JSON, keep the grouping, and add slice index and position', async () => {
    const csv = (await api.inference.exportJob({ jobId, format: 'csv', deidentify: true })).content
    const json = JSON.parse((await api.inference.exportJob({ jobId, format: 'json', deidentify: true })).content)
    const full = JSON.parse((await api.inference.exportJob({ jobId, format: 'json' })).content)
    const [header, ...lines] = csv.trimEnd().split('\r\n')
    const cols = header.split(',')
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])))
    expect(cols.slice(0, 7)).toEqual([
      'path',
      'frame',
      'patient_id',
      'study_uid',
      'series_uid',
      'slice_index',
      'slice_position'
    ])
    expect(rows.map((r) => [r.path, r.patient_id, r.study_uid, r.series_uid])).toEqual(
      json.predictions.map((p: Record<string, string | null>) => [
        p.path,
        p.patientId,
        p.studyUid ?? '',
        p.seriesUid ?? ''
      ])
    )
    // No blank patient_id: the CSV names the same pseudonym the JSON does.
    expect(rows.every((r) => /^patient-\d$/.test(r.patient_id))).toBe(true)
    // Grouping: the same partition of rows into patients, studies and series as in the identified export.
    const partition = (preds: Record<string, string>[], key: string) =>
      Object.values(preds.reduce<Record<string, number[]>>((g, p, i) => ((g[p[key]] ??= []).push(i), g), {})).sort()
    for (const key of ['patientKey', 'studyKey', 'seriesKey'])
      expect(partition(json.predictions, key)).toEqual(partition(full.predictions, key))
    expect(json.patients.map((p: { count: number }) => p.count).sort()).toEqual(
      full.patients.map((p: { count: number }) => p.count).sort()
    )
    // The T1 series: InstanceNumber 1..5 at z = 3 mm × instance along the axial normal.
    const t1 = full.predictions
      .map((p: { seriesDescription: string }, i: number) => (p.seriesDescription === 'T1 AXIAL' ? i : -1))
      .filter((i: number) => i >= 0)
    expect(t1.map((i: number) => [rows[i].slice_index, rows[i].slice_position])).toEqual(
      [1, 2, 3, 4, 5].map((n) => [String(n), String(n * 3)])
    )
    // PNGs have neither.
    const png = full.predictions.findIndex((p: { kind: string }) => p.kind === 'png')
    expect([rows[png].slice_index, rows[png].slice_position]).toEqual(['', ''])
  })
})

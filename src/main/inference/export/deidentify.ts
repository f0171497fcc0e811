import path from 'node:path'
import type { FailedInput, GroupAggregate, ImagePrediction, InferenceJobDetail } from '../../../shared/contract'

/**
 * A job detail without patient identifiers: PatientName (0010,0010), PatientID (0010,0020), PatientBirthDate
 * (0010,0030) and StudyDate (0008,0020) become null; DICOM patient groups are renamed 'patient-1', 'patient-2', …
 * (labels 'patient 1', …) in order of appearance; paths become relative to the job folder, and the folder itself
 * and the job name (which holds the folder name by default) are dropped, the folder's name often being the
 * patient's. Folder names inside the job folder are kept as they are.
 */
export function deidentifyDetail(d: InferenceJobDetail): InferenceJobDetail & { folder: string } {
  const pseudonyms = new Map<string, string>()
  const pseudo = (key: string): string => {
    // Folder keys carry only names below the job folder; DICOM patient keys carry the ID or name.
    if (key.startsWith('folder:')) return key
    let p = pseudonyms.get(key)
    if (!p) {
      p = `patient-${pseudonyms.size + 1}`
      pseudonyms.set(key, p)
    }
    return p
  }
  const rel = (p: string): string => path.relative(d.folder, p).split(path.sep).join('/') || '.'
  const predictions: ImagePrediction[] = d.predictions.map((p) => ({
    ...p,
    path: rel(p.path),
    patientId: null,
    patientName: null,
    patientBirthDate: null,
    studyDate: null,
    patientKey: pseudo(p.patientKey)
  }))
  const group = (g: GroupAggregate): GroupAggregate => {
    const patientKey = pseudo(g.patientKey)
    const renamed = g.level === 'patient' && patientKey !== g.patientKey
    return {
      ...g,
      key: g.level === 'patient' ? patientKey : g.key,
      patientKey,
      label: renamed ? patientKey.replace('-', ' ') : g.label
    }
  }
  const scrub = (text: string): string =>
    text
      .split(d.folder + path.sep)
      .join('')
      .split(d.folder)
      .join('.')
  const failures: FailedInput[] = d.failures.map((f) => ({ ...f, path: rel(f.path), message: scrub(f.message) }))
  return {
    ...d,
    // The default job name holds the folder name.
    name: `classification job ${d.id}`,
    error: d.error === null ? null : scrub(d.error),
    folder: '.',
    predictions,
    series: d.series.map(group),
    studies: d.studies.map(group),
    patients: d.patients.map(group),
    failures
  }
}

import path from 'node:path'
import type { FailedInput, GroupAggregate, ImagePrediction, InferenceJobDetail } from '../../../shared/contract'
import { aggregate } from '../aggregate/aggregate'

/** Numbers original values in order of first appearance: the same value always gets the same pseudonym. */
class Pseudonyms {
  private readonly map = new Map<string, string>()
  constructor(private readonly prefix: string) {}
  of(original: string): string {
    let p = this.map.get(original)
    if (!p) {
      p = `${this.prefix}-${this.map.size + 1}`
      this.map.set(original, p)
    }
    return p
  }
}

/** "patient-2" → "patient 2" (group labels). */
const spaced = (key: string) => key.replace('-', ' ')

/**
 * A job detail for sharing, following the DICOM PS3.15 Annex E basic profile for the fields it holds:
 * - replaced by pseudonyms numbered in order of appearance, consistent within the export (the same patient,
 *   study, series or file always gets the same one, so grouping is kept): PatientID (0010,0020) and every
 *   patient group → 'patient-N' (also in `patientId`, so CSV and JSON agree); StudyInstanceUID (0020,000D) and
 *   study groups → 'study-N'; SeriesInstanceUID (0020,000E) and series groups → 'series-N'; file paths →
 *   'file-N' (file and folder names often hold names, IDs or SOP Instance UIDs);
 * - removed: PatientName (0010,0010), PatientBirthDate (0010,0030), StudyDate (0008,0020), SeriesDescription
 *   (0008,103E, free text); the job name and folder, the model folder's path (and its name, for a model
 *   folder not from a run), and any path in messages;
 * - kept: Modality, SeriesNumber, InstanceNumber, the slice position along the normal, geometry, predictions.
 * Aggregates are recomputed from the pseudonymised predictions, so they group exactly as before.
 */
export function deidentifyDetail(d: InferenceJobDetail): InferenceJobDetail & { folder: string } {
  const patients = new Pseudonyms('patient')
  const studies = new Pseudonyms('study')
  const series = new Pseudonyms('series')
  const files = new Pseudonyms('file')
  const file = (p: string) => files.of(path.resolve(d.folder, p))
  const predictions: ImagePrediction[] = d.predictions.map((p) => {
    const patientKey = patients.of(p.patientKey)
    const studyKey = studies.of(p.studyKey)
    const seriesKey = series.of(p.seriesKey)
    return {
      ...p,
      path: file(p.path),
      patientId: patientKey,
      patientName: null,
      patientBirthDate: null,
      studyUid: p.studyUid === null ? null : studyKey,
      studyDate: null,
      seriesUid: p.seriesUid === null ? null : seriesKey,
      seriesDescription: null,
      seriesKey,
      seriesLabel: [
        p.seriesNumber !== null ? `Series ${p.seriesNumber}` : spaced(seriesKey),
        p.modality ? `(${p.modality})` : null
      ]
        .filter(Boolean)
        .join(' '),
      studyKey,
      patientKey
    }
  })
  // Every path the detail holds, longest first, so a message naming a file loses the whole path.
  const paths = [
    ...d.failures.map((f) => f.path),
    ...d.predictions.map((p) => p.path),
    d.model.modelDir,
    d.folder
  ].sort((a, b) => b.length - a.length)
  const scrub = (text: string): string => {
    let out = text
    for (const p of paths) {
      const replacement = p === d.folder ? '(job folder)' : p === d.model.modelDir ? '(model folder)' : file(p)
      out = out.split(p).join(replacement)
      const rel = path.relative(d.folder, p)
      if (rel && !rel.startsWith('..') && p !== d.folder) out = out.split(rel).join(replacement)
    }
    return out
  }
  const failures: FailedInput[] = d.failures.map((f) => ({ ...f, path: file(f.path), message: scrub(f.message) }))
  const relabel = (groups: GroupAggregate[]): GroupAggregate[] =>
    groups.map((g) => (g.level === 'series' ? g : { ...g, label: spaced(g.key) }))
  return {
    ...d,
    // The default job name holds the folder name.
    name: `classification job ${d.id}`,
    error: d.error === null ? null : scrub(d.error),
    folder: '.',
    // A folder model's name is its folder's name: part of a path, so it goes too (a run's name stays).
    model: { ...d.model, modelDir: '(model folder)', name: d.model.runId === null ? '(model folder)' : d.model.name },
    predictions,
    series: relabel(aggregate(predictions, d.classNames, 'series')),
    studies: relabel(aggregate(predictions, d.classNames, 'study')),
    patients: relabel(aggregate(predictions, d.classNames, 'patient')),
    failures
  }
}

import type { ImagePrediction } from '../../../shared/contract'

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const num = (x: number): string => String(Number(x.toFixed(6)))

/**
 * One CSV row per image or frame: `path,frame,patient_id,study_uid,series_uid,predicted,confidence`, then
 * `p_<class>` per class with the class names as the model stores them. Lines end with CRLF (RFC 4180).
 */
export function predictionsToCsv(predictions: readonly ImagePrediction[], classNames: readonly string[]): string {
  const header = [
    'path',
    'frame',
    'patient_id',
    'study_uid',
    'series_uid',
    'predicted',
    'confidence',
    ...classNames.map((c) => `p_${c}`)
  ]
  const lines = [header.map(csvField).join(',')]
  for (const p of predictions) {
    lines.push(
      [
        csvField(p.path),
        String(p.frame),
        csvField(p.patientId),
        csvField(p.studyUid),
        csvField(p.seriesUid),
        csvField(p.predicted),
        num(p.confidence),
        ...p.probabilities.map(num)
      ].join(',')
    )
  }
  return lines.join('\r\n') + '\r\n'
}

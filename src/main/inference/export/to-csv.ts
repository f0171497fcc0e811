import type { ImagePrediction } from '../../../shared/contract'

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

const num = (x: number): string => String(Number(x.toFixed(6)))

/**
 * One CSV row per image or frame: `path,frame,patient_id,study_uid,series_uid,slice_index,slice_position,
 * predicted,confidence`, then `p_<class>` per class with the class names as the model stores them. slice_index is
 * InstanceNumber (0020,0013); slice_position is the position along the slice normal in mm (blank when unknown).
 * A job classified with test-time augmentation adds a last column, `tta_uncertainty` (the spread across
 * augmentations, probability units). Lines end with CRLF (RFC 4180).
 */
export function predictionsToCsv(predictions: readonly ImagePrediction[], classNames: readonly string[]): string {
  const header = [
    'path',
    'frame',
    'patient_id',
    'study_uid',
    'series_uid',
    'slice_index',
    'slice_position',
    'predicted',
    'confidence',
    ...classNames.map((c) => `p_${c}`)
  ]
  const tta = predictions.some((p) => p.uncertainty !== null)
  if (tta) header.push('tta_uncertainty')
  const lines = [header.map(csvField).join(',')]
  for (const p of predictions) {
    lines.push(
      [
        csvField(p.path),
        String(p.frame),
        csvField(p.patientId),
        csvField(p.studyUid),
        csvField(p.seriesUid),
        p.instanceNumber === null ? '' : String(p.instanceNumber),
        p.slicePosition === null ? '' : num(p.slicePosition),
        csvField(p.predicted),
        num(p.confidence),
        ...p.probabilities.map(num),
        ...(tta ? [p.uncertainty === null ? '' : num(p.uncertainty)] : [])
      ].join(',')
    )
  }
  return lines.join('\r\n') + '\r\n'
}

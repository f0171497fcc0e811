import type { Evaluation, ImagePrediction } from '../../../shared/contract'
import { toEvaluation } from '../../training/job/evaluation'
import { classOfPath, type ClassFolderMatch } from './class-folders'

/**
 * The evaluation of classified images whose true class is their subfolder: exactly the metrics of the
 * stored test evaluation (with bootstrap intervals, by patient when the files carry a PatientID) computed on
 * the classification's probabilities. Images outside a known class subfolder are left out.
 */
export function evaluateClassified(
  folder: string,
  match: ClassFolderMatch,
  predictions: readonly ImagePrediction[],
  classNames: string[],
  seed = 0
): Evaluation {
  const K = classNames.length
  const rows = predictions
    .map((p) => ({ p, label: classOfPath(folder, p.path, match) }))
    .filter((r): r is { p: ImagePrediction; label: number } => r.label !== null)
  const probs = new Float32Array(rows.length * K)
  rows.forEach((r, i) => probs.set(r.p.probabilities, i * K))
  const items = rows.map((r) => ({
    itemId: r.p.id,
    path: r.p.path,
    frame: r.p.frame,
    sha256: '',
    label: r.label,
    split: 'test' as const,
    patientId: r.p.patientId
  }))
  const preds = {
    probs,
    labels: Int32Array.from(rows, (r) => r.label),
    indices: Int32Array.from(rows.keys()),
    numClasses: K
  }
  return toEvaluation('test', preds, items, classNames, { seed })
}

import type { ImagePrediction, InferenceJobDetail } from '../../../shared/contract'
import type { InferenceStore, StoredResult } from '../store/inference-store'
import { aggregate, countByClass } from './aggregate'

/** How many classes a prediction lists as its top classes. */
export const TOP_K = 3

/** A stored result as the API shows it, flagged low-confidence when its top-1 probability < `threshold`. */
export function toPrediction(r: StoredResult, classNames: readonly string[], threshold: number): ImagePrediction {
  // The rest is the result's id and its image metadata (ImageMeta), passed through as stored.
  const {
    predictedIndex,
    confidence,
    hasCam,
    uncertainty,
    probabilities: raw,
    cam: _cam,
    camScale: _camScale,
    camWidth: _w,
    camHeight: _h,
    ...meta
  } = r
  const probabilities = Array.from(raw)
  const top = probabilities
    .map((probability, i) => ({ className: classNames[i] ?? `class ${i}`, probability, i }))
    .sort((a, b) => b.probability - a.probability || a.i - b.i)
    .slice(0, TOP_K)
    .map(({ className, probability }) => ({ className, probability }))
  return {
    ...meta,
    predicted: classNames[predictedIndex] ?? `class ${predictedIndex}`,
    predictedIndex,
    confidence,
    lowConfidence: confidence < threshold,
    top,
    probabilities,
    hasSaliency: hasCam,
    uncertainty: uncertainty ?? null
  }
}

/** A job with its predictions, per-series/study/patient aggregates, counts and failures, from the catalog. */
export function jobDetail(store: InferenceStore, jobId: number, threshold?: number): InferenceJobDetail {
  const job = store.get(jobId)
  const classNames = job.model.classNames
  const t = threshold ?? job.lowConfidenceThreshold
  const predictions = store.results(jobId).map((r) => toPrediction(r, classNames, t))
  return {
    ...job,
    lowConfidenceThreshold: t,
    classNames,
    predictions,
    series: aggregate(predictions, classNames, 'series'),
    studies: aggregate(predictions, classNames, 'study'),
    patients: aggregate(predictions, classNames, 'patient'),
    failures: store.failures(jobId),
    counts: countByClass(predictions, classNames)
  }
}

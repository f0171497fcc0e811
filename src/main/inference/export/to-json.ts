import type { GroupAggregate, InferenceJobDetail } from '../../../shared/contract'

/** Version of the JSON export layout. */
export const EXPORT_JSON_VERSION = 1

/**
 * The JSON export: the job (model, folder, times, threshold, engine), every prediction with its top-3 and
 * probabilities, the per-series, per-study and per-patient aggregates, counts per class and the failures.
 */
export function detailToJson(d: InferenceJobDetail, deidentified: boolean): string {
  const { predictions, series, studies, patients, failures, counts, classNames, ...job } = d
  return JSON.stringify(
    {
      format: 'neuropath-classification',
      version: EXPORT_JSON_VERSION,
      deidentified,
      job,
      classNames,
      counts,
      predictions: predictions.map(({ hasSaliency: _s, id: _id, ...p }) => p),
      series,
      studies,
      patients,
      failures
    },
    null,
    2
  )
}

/** The short summary `neuropath classify --json` prints: counts per class, per-series aggregates, failures. */
export function detailSummary(d: InferenceJobDetail): {
  jobId: number
  status: string
  classified: number
  failed: number
  /** Whether probabilities were averaged over test-time augmentations (predictions then carry an uncertainty). */
  tta: boolean
  counts: Record<string, number>
  series: Pick<
    GroupAggregate,
    | 'key'
    | 'label'
    | 'patientKey'
    | 'count'
    | 'majority'
    | 'agreement'
    | 'meanPredicted'
    | 'meanProbabilities'
    | 'lowConfidence'
  >[]
  failures: InferenceJobDetail['failures']
} {
  return {
    jobId: d.id,
    status: d.status,
    classified: d.predictions.length,
    failed: d.failures.length,
    tta: d.tta,
    counts: d.counts,
    series: d.series.map(
      ({ key, label, patientKey, count, majority, agreement, meanPredicted, meanProbabilities, lowConfidence }) => ({
        key,
        label,
        patientKey,
        count,
        majority,
        agreement,
        meanPredicted,
        meanProbabilities,
        lowConfidence
      })
    ),
    failures: d.failures
  }
}

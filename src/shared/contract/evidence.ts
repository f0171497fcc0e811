/** A point estimate with its bootstrap interval; all three in the metric's units ([0, 1] for these metrics). */
export interface Interval {
  estimate: number
  lower: number
  upper: number
}

/** Bootstrap intervals of the metrics an evaluation shows (computed on the same predictions). */
export interface MetricIntervals {
  /** 'items': each image resampled on its own; 'groups': whole patients resampled (cluster bootstrap). */
  method: 'items' | 'groups'
  /** Plain words for reports, e.g. "percentile bootstrap, 1000 resamples of 41 patients/groups (cluster bootstrap), seed 0, 95 % intervals". */
  description: string
  resamples: number
  /** Units resampled: images for 'items', patients (DICOM PatientID (0010,0020)) for 'groups'. */
  units: number
  /** Central coverage, 0.95. */
  level: number
  seed: number
  accuracy: Interval
  macroF1: Interval
  /** Mean one-vs-rest AUC; null when no class has both positives and negatives. */
  macroAuc: Interval | null
  /** Per class (label-index order): sensitivity = recall, specificity = TN / (TN + FP), one-vs-rest AUC; null when undefined. */
  perClass: { sensitivity: Interval | null; specificity: Interval | null; auc: Interval | null }[]
}

/** A metric summarised over the folds of a study (or the seeds of a repeat). */
export interface AcrossRuns {
  mean: number
  /** Sample standard deviation (n − 1). */
  sd: number
  /** 95 % interval of the mean over folds: mean ± t(0.975, n − 1) · sd / √n, clipped to [0, 1]. */
  ci95: [number, number]
  /** Folds (runs) that had the metric. */
  n: number
}

/** What a cross-validation study measured. */
export interface StudyMetrics {
  /** Per fold (index = fold; for a seeds study, per seed), on the held-out items (the test split). */
  perFold: { fold: number; runId: number; n: number; accuracy: number; macroF1: number; auc: number | null }[]
  accuracy: AcrossRuns
  macroF1: AcrossRuns
  /** Macro one-vs-rest AUC. */
  auc: AcrossRuns
  /**
   * Bootstrap intervals on the pooled out-of-fold predictions of every item (by patient when grouped); null for
   * a seeds study, whose runs all predict the same test split.
   */
  pooled: MetricIntervals | null
}

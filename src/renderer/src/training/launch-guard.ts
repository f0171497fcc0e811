import type { TrainingEstimate } from '../../../shared/contract/training'
import { formatDuration } from './format'

/** Runs estimated longer than this ask for confirmation before they start. */
export const LONG_RUN_SECONDS = 3600

/**
 * The question to ask before launching a run estimated at more than an hour, naming the estimate and the backend
 * each part runs on; null when the run is shorter (or there is no estimate).
 */
export function longRunQuestion(estimate: TrainingEstimate | null): string | null {
  if (!estimate || estimate.seconds <= LONG_RUN_SECONDS) return null
  const backends = [...new Set(estimate.perStage.filter((p) => p.seconds > 0).map((p) => p.backend))]
  const slowest = [...estimate.perStage].sort((a, b) => b.seconds - a.seconds)[0]
  return (
    `This run is estimated at ${formatDuration(estimate.seconds)} on the ${backends.join(' + ') || estimate.backend} backend` +
    (slowest ? ` (${slowest.label}: ${formatDuration(slowest.seconds)} on ${slowest.backend})` : '') +
    '. Epoch counts are maxima, so early stopping may end it sooner. Start it?'
  )
}

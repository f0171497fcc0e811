import type { InferenceJobStatus } from '../../../shared/contract/inference'

/** The colour a classification job's status is written in (job list and job header). */
export const JOB_STATUS_COLOR: Record<InferenceJobStatus, string> = {
  completed: 'var(--ok)',
  running: 'var(--accent)',
  failed: 'var(--danger)',
  interrupted: 'var(--danger)',
  cancelled: 'var(--warn)'
}

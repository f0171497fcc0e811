import type { CalibrateJob, CalibrateResult } from './job'

/**
 * Engine side of job 'calibrate': checks a backbone (loads it and describes it) and/or measures the speeds a
 * training estimate needs. Runs in its own engine process so loading weights and timing kernels never block
 * the app. Its code loads on first use, so engines started for other jobs do not pay for it.
 */
export async function runCalibrate(job: CalibrateJob, _emit: unknown, signal: AbortSignal): Promise<CalibrateResult> {
  const [{ checkBackbone }, { measureSpeeds }] = await Promise.all([import('./check-backbone'), import('./measure')])
  const check = job.check ? await checkBackbone(job.backbone) : null
  const measure = job.measure ? await measureSpeeds(job.backbone, job.measure, signal) : null
  return { check, measure }
}
